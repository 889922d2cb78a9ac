"""How a stored result is named on the pages: each best value with the epoch of what it
follows, and cross-validation's ± for what it is, for runs stored under old names too."""

import pytest

from jobs import presentation
from jobs.models import TrainingJob
from tests.jobs.test_run_exports import finished_run

# Stored after the renames: the accuracy's and the loss's best epochs differ.
CLASSIFIER = {"best_val_accuracy": 0.875, "best_val_accuracy_epoch": 10,
              "best_val_loss": 0.3777, "best_val_loss_epoch": 5, "val_loss": 0.41}
# Stored before: one best_epoch, the accuracy's for a classifier, the loss's otherwise.
OLD_CLASSIFIER = {"best_val_accuracy": 0.875, "best_epoch": 10, "best_val_loss": 0.3777}
OLD_AUTOENCODER = {"best_val_accuracy": None, "best_epoch": 7, "best_val_loss": 0.0123}


def test_each_best_epoch_follows_its_own_metric():
    assert presentation.best_epoch(CLASSIFIER, "val_accuracy") == 10
    assert presentation.best_epoch(CLASSIFIER, "val_loss") == 5
    assert presentation.best_metric(CLASSIFIER) == "87.5% best val. accuracy (epoch 10)"


def test_results_stored_before_the_rename_read_their_best_epoch_as_what_it_followed():
    assert presentation.best_epoch(OLD_CLASSIFIER, "val_accuracy") == 10
    assert presentation.best_epoch(OLD_CLASSIFIER, "val_loss") is None
    assert presentation.best_epoch(OLD_AUTOENCODER, "val_loss") == 7
    assert presentation.best_epoch(OLD_AUTOENCODER, "val_accuracy") is None
    assert presentation.best_metric(OLD_AUTOENCODER) == "0.0123 lowest val. loss (epoch 7)"


def cv(**extra):
    return {"cv": {"folds": [{}] * 5, "mean_val_accuracy": 0.905,
                   "std_val_accuracy": 0.04, **extra}}


def test_cross_validation_spread_is_named_with_its_standard_error():
    assert presentation.cv_accuracy(cv(sem_val_accuracy=0.0179)) == (
        "90.5% ± 4.0% (sample s.d. across 5 folds; standard error of the mean 1.8%)")
    # Stored before ddof 1 and the standard error: named for what it was.
    assert presentation.cv_accuracy(cv()) == "90.5% ± 4.0% (population s.d. across 5 folds)"
    assert presentation.cv_accuracy({}) is None


@pytest.mark.django_db
def test_compare_shows_cross_validation_accuracy_as_mean_sd_and_standard_error(
    client, user, moons_config
):
    a = finished_run(user, moons_config)
    b = finished_run(user, {**moons_config, "optim": {**moons_config["optim"], "lr": 0.1}})
    TrainingJob.objects.filter(pk=a.pk).update(result=cv(sem_val_accuracy=0.0179))
    client.force_login(user)
    html = client.get(f"/runs/compare/?ids={a.pk}&ids={b.pk}").content.decode()
    assert "cross-validation accuracy (mean ± s.d. across folds)" in html
    assert "90.5% ± 4.0% (sample s.d. across 5 folds; standard error of the mean 1.8%)" in html
    TrainingJob.objects.filter(pk=a.pk).update(result={})
    html = client.get(f"/runs/compare/?ids={a.pk}&ids={b.pk}").content.decode()
    assert "cross-validation accuracy" not in html
