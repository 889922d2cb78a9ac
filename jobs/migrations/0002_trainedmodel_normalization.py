"""Trained models carry the input normalization they were trained behind (issue 12).

Models stored from now on get it from the run itself. For the models already stored, the
data is drawn once more here, through the engine's public loaders, exactly as their run drew
it: with cross-validation, the fold the run kept (the best validation accuracy, as
engine.training chooses it, read from the run's summary). A model whose config no longer
parses, or whose kept fold cannot be told, stays null and is not deployed.
"""

from django.db import migrations, models

from engine import ConfigError, parse_config
from engine.datasets import load_dataset, load_folds


def normalization_of(config: dict, result: dict) -> dict | None:
    try:
        parsed = parse_config(config)
    except ConfigError:
        return None
    n_folds = parsed.eval.cv_folds
    if not n_folds:
        return load_dataset(parsed.data).normalization.as_dict()
    folds = (result.get("cv") or {}).get("folds") or []
    if len(folds) != n_folds:
        return None
    kept = max(folds, key=lambda fold: fold["val_accuracy"])["fold"]
    return load_folds(parsed.data, n_folds)[kept - 1].normalization.as_dict()


def fill_normalization(apps, schema_editor) -> None:
    TrainedModel = apps.get_model("jobs", "TrainedModel")
    stored = TrainedModel.objects.filter(normalization__isnull=True).select_related("job")
    for model in stored.iterator():
        model.normalization = normalization_of(model.job.config, model.job.result or {})
        model.save(update_fields=["normalization"])


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='trainedmodel',
            name='normalization',
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.RunPython(fill_normalization, migrations.RunPython.noop, elidable=True),
    ]
