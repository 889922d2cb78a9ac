"""Trained models stored before they carried their input normalization (issue 12) get it
from the migration, drawn once as their run drew it (with cross-validation, from the fold
the run kept); one whose statistics cannot be recovered stays null and is not deployed."""

import pytest

from deployments import deploy
from engine import parse_config
from engine.datasets import load_dataset, load_folds
from jobs.models import TrainedModel, TrainingJob
from tests.migration_steps import latest, migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("jobs", "0001_initial")]
AFTER = [("jobs", "0002_trainedmodel_normalization")]

MOONS = {
    "model": {"kind": "mlp", "hidden": [8]},
    "data": {"name": "moons", "n_samples": 200, "seed": 5},
    "optim": {"name": "adam", "lr": 0.01, "epochs": 1},
}
CROSS_VALIDATED = {**MOONS, "eval": {"cv_folds": 3}}
# Fold 2 validated best: it is the one whose model the run stored.
CV_RESULT = {"cv": {"folds": [{"fold": 1, "val_accuracy": 0.8}, {"fold": 2, "val_accuracy": 0.9},
                              {"fold": 3, "val_accuracy": 0.85}]}}


@pytest.fixture
def before():
    apps = migrate(BEFORE)
    yield apps
    migrate(latest())


def stored_model(apps, owner, config: dict, result: dict | None = None) -> int:
    job = apps.get_model("jobs", "TrainingJob").objects.create(
        owner_id=owner.pk, config=config, status="succeeded", result=result or {}
    )
    apps.get_model("jobs", "TrainedModel").objects.create(
        job=job, file=f"models/job-{job.pk}.pt", size_bytes=1, n_params=1
    )
    return job.pk


def test_old_models_get_the_normalization_their_run_used(before, user):
    plain = stored_model(before, user, MOONS)
    digits = stored_model(before, user, {**MOONS, "data": {"name": "digits", "n_samples": 200}})
    folded = stored_model(before, user, CROSS_VALIDATED, CV_RESULT)
    unknown_fold = stored_model(before, user, CROSS_VALIDATED)  # no cv summary to choose by
    unparsable = stored_model(before, user, {**MOONS, "model": {"kind": "no-such-kind"}})

    migrate(AFTER)

    def normalization(job_id):
        return TrainedModel.objects.get(job_id=job_id).normalization

    data = parse_config(MOONS).data
    assert normalization(plain) == load_dataset(data).normalization.as_dict()
    assert len(normalization(plain)["shift"]) == 2
    assert normalization(digits) == {"shift": [0.0], "scale": [16.0]}
    folds = [fold.normalization.as_dict() for fold in load_folds(data, 3)]
    assert normalization(folded) == folds[1] != folds[0]
    assert normalization(unknown_fold) is None
    assert normalization(unparsable) is None

    # Deploying a migrated model serves it behind those statistics; a null one is refused.
    migrate(latest())  # today's models read every column of today's tables
    deployed = deploy.model_deploy(user=user, job=TrainingJob.objects.get(pk=plain))
    assert deployed.preprocessing == normalization(plain)
    job = TrainingJob.objects.get(pk=unparsable)
    job.config = MOONS  # deployable in every other respect
    with pytest.raises(deploy.NotDeployable, match="normalization"):
        deploy.model_deploy(user=user, job=job)
