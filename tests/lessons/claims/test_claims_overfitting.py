"""The numbers the overfitting-and-regularization lessons quote still hold (see support.py)."""

import pytest

from tests.lessons.claims.support import assert_quoted, last_event

# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance)
CLAIMS = [
    ("overfit-small-data", {}, "train_accuracy", 1.0, 0.02),
    ("overfit-small-data", {}, "val_accuracy", 0.865, 0.02),
    ("overfit-small-data", {}, "val_loss", 0.99, 0.02),
    ("overfit-small-data", {}, "best_val_loss", 0.34, 0.02),
    ("overfit-small-data", {}, "n_params", 17154, 0),
    ("overfit-small-data", {"data.train_size": "all"}, "train_accuracy", 0.947, 0.02),
    ("overfit-small-data", {"data.train_size": "all"}, "val_accuracy", 0.9, 0.02),
    ("overfit-small-data", {"data.train_size": "all"}, "val_loss", 0.39, 0.02),
    ("overfit-small-data", {"model.hidden": [8]}, "train_accuracy", 0.925, 0.02),
    ("overfit-small-data", {"model.hidden": [8]}, "val_accuracy", 0.845, 0.02),
    ("overfit-small-data", {"model.hidden": [8]}, "n_params", 42, 0),
    ("overfit-small-data", {"optim.early_stopping_patience": 20}, "epochs_completed", 37, 0),
    ("overfit-small-data", {"optim.early_stopping_patience": 20}, "val_accuracy", 0.87, 0.02),
    ("dropout", {}, "train_accuracy", 1.0, 0.02),
    ("dropout", {}, "val_accuracy", 0.88, 0.02),
    ("dropout", {}, "val_loss", 0.88, 0.02),
    ("weight-decay", {}, "train_accuracy", 0.975, 0.02),
    ("weight-decay", {}, "val_accuracy", 0.865, 0.02),
    ("weight-decay", {}, "val_loss", 0.32, 0.02),
    ("weight-decay", {"optim.weight_decay": 0.1}, "train_accuracy", 0.85, 0.02),
    ("weight-decay", {"optim.weight_decay": 0.1}, "val_accuracy", 0.84, 0.02),
    ("weight-decay", {"optim.weight_decay": 0.1}, "val_loss", 0.38, 0.02),
    ("batch-norm", {}, "val_accuracy", 0.5, 0.02),
    ("batch-norm", {"model.batch_norm": True}, "val_accuracy", 0.82, 0.02),
    ("batch-norm", {"model.batch_norm": True}, "best_val_accuracy", 0.88, 0.02),
    ("batch-norm", {"model.activation": "relu"}, "val_accuracy", 0.89, 0.02),
    ("batch-norm", {"model.activation": "relu", "model.batch_norm": True}, "val_accuracy", 0.94,
     0.02),
]  # fmt: skip


@pytest.mark.parametrize(("lab_slug", "changes", "field", "quoted", "tolerance"), CLAIMS)
def test_quoted_result_still_holds(lab_slug, changes, field, quoted, tolerance):
    assert_quoted(lab_slug, changes, field, quoted, tolerance)


def test_overfitting_lesson_early_stopping_epoch():
    stop = last_event("overfit-small-data", "early_stop", {"optim.early_stopping_patience": 20})
    assert (stop["best_epoch"], stop["epoch"]) == (17, 37)
    assert stop["best_val_loss"] == pytest.approx(0.34, abs=0.02)
