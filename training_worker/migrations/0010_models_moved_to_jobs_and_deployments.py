"""The models of this app now belong to `jobs` and `deployments` (their 0001 migrations took
their state; the tables stay): drop them from this app's state and move their content types,
with the permissions on them (accounts.instructors gives roles permissions by app label)."""

from django.db import migrations

MOVES = [
    ("training_worker", "jobs", "trainingjob"),
    ("training_worker", "jobs", "jobevent"),
    ("training_worker", "jobs", "joblimits"),
    ("training_worker", "jobs", "trainedmodel"),
    ("training_worker", "jobs", "standardbase"),
    ("training_worker", "deployments", "deployedmodel"),
]


def _move_content_types(apps, schema_editor, moves):
    """Give the moved models' content types their new app label, so the permissions, admin
    log entries and generic relations that point at them stay attached. A fresh database
    has none yet (post_migrate makes them after the last migration): nothing to do."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_types = ContentType.objects.using(schema_editor.connection.alias)
    for old_label, new_label, model in moves:
        old = content_types.filter(app_label=old_label, model=model).first()
        if old is None:
            continue
        # A content type under the new label can only have come from a post_migrate run
        # between a partial migration and this one: it holds nothing the old one does not.
        content_types.filter(app_label=new_label, model=model).delete()
        old.app_label = new_label
        old.save(update_fields=["app_label"])


def forwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, MOVES)


def backwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, [(new, old, model) for old, new, model in MOVES])


class Migration(migrations.Migration):

    dependencies = [
        ("classroom", "0004_sweeprun_job_to_jobs"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("deployments", "0001_initial"),
        ("jobs", "0001_initial"),
        ("lessons", "0008_prediction_job_to_jobs"),
        ("training_worker", "0009_joblimits_max_sweep_runs"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='deployedmodel',
                    name='job',
                ),
                migrations.RemoveField(
                    model_name='deployedmodel',
                    name='owner',
                ),
                migrations.RemoveField(
                    model_name='jobevent',
                    name='job',
                ),
                migrations.DeleteModel(
                    name='JobLimits',
                ),
                migrations.RemoveField(
                    model_name='standardbase',
                    name='job',
                ),
                migrations.RemoveField(
                    model_name='trainedmodel',
                    name='job',
                ),
                migrations.RemoveField(
                    model_name='trainingjob',
                    name='lab',
                ),
                migrations.RemoveField(
                    model_name='trainingjob',
                    name='owner',
                ),
                migrations.DeleteModel(
                    name='DeployedModel',
                ),
                migrations.DeleteModel(
                    name='JobEvent',
                ),
                migrations.DeleteModel(
                    name='StandardBase',
                ),
                migrations.DeleteModel(
                    name='TrainedModel',
                ),
                migrations.DeleteModel(
                    name='TrainingJob',
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
