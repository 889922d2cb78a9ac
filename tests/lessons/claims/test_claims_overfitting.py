"""The numbers the overfitting-and-regularization lessons quote still hold (see support.py)."""

import pytest

from tests.lessons.claims.support import assert_quoted, epoch_metrics, last_event, summary_for

EARLY_STOPPING = {"optim.early_stopping_patience": 20}
LAST_WEIGHTS = {"optim.restore_best": False}
ADAMW = {"optim.name": "adamw"}

# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance)
CLAIMS = [
    ("overfit-small-data", {}, "train_accuracy", 1.0, 0.002),
    ("overfit-small-data", {}, "train_loss", 0.0003, 0.00003),
    ("overfit-small-data", {}, "val_accuracy", 0.865, 0.002),
    ("overfit-small-data", {}, "val_loss", 0.99, 0.005),
    ("overfit-small-data", {}, "best_val_loss", 0.34, 0.005),
    ("overfit-small-data", {}, "best_val_loss_epoch", 17, 0),
    ("overfit-small-data", {}, "n_params", 17154, 0),
    ("overfit-small-data", {"data.train_size": "all"}, "train_accuracy", 0.947, 0.0005),
    ("overfit-small-data", {"data.train_size": "all"}, "val_accuracy", 0.9, 0.002),
    ("overfit-small-data", {"data.train_size": "all"}, "val_loss", 0.39, 0.005),
    ("overfit-small-data", {"model.hidden": [8]}, "train_accuracy", 0.925, 0.002),
    ("overfit-small-data", {"model.hidden": [8]}, "val_accuracy", 0.845, 0.002),
    ("overfit-small-data", {"model.hidden": [8]}, "val_loss", 0.39, 0.005),
    ("overfit-small-data", {"model.hidden": [8]}, "n_params", 42, 0),
    ("early-stopping", {}, "epochs_completed", 37, 0),
    ("early-stopping", {}, "weights_epoch", 17, 0),
    ("early-stopping", {}, "train_accuracy", 1.0, 0.002),
    ("early-stopping", {}, "val_accuracy", 0.88, 0.002),
    ("early-stopping", {}, "val_loss", 0.34, 0.005),
    ("early-stopping", LAST_WEIGHTS, "epochs_completed", 37, 0),
    ("early-stopping", LAST_WEIGHTS, "weights_epoch", 37, 0),
    ("early-stopping", LAST_WEIGHTS, "train_accuracy", 1.0, 0.002),
    ("early-stopping", LAST_WEIGHTS, "val_accuracy", 0.87, 0.002),
    ("early-stopping", LAST_WEIGHTS, "val_loss", 0.72, 0.005),
    ("early-stopping", {"optim.early_stopping_patience": 5}, "epochs_completed", 6, 0),
    ("early-stopping", {"optim.early_stopping_patience": 5}, "weights_epoch", 1, 0),
    ("early-stopping", {"optim.early_stopping_patience": 5}, "val_accuracy", 0.845, 0.002),
    ("early-stopping", {"optim.early_stopping_patience": 50}, "epochs_completed", 67, 0),
    ("early-stopping", {"optim.early_stopping_patience": 50}, "weights_epoch", 17, 0),
    ("dropout", {}, "train_accuracy", 1.0, 0.002),
    ("dropout", {}, "val_accuracy", 0.88, 0.002),
    ("dropout", {}, "val_loss", 0.88, 0.005),
    ("weight-decay", {"optim.weight_decay": 0}, "val_loss", 0.99, 0.005),
    ("weight-decay", {"optim.weight_decay": 0}, "n_params", 17154, 0),
    ("weight-decay", {"optim.weight_decay": 0}, "val_accuracy", 0.865, 0.002),
    ("weight-decay", {"optim.weight_decay": 0.001}, "train_accuracy", 1.0, 0.002),
    ("weight-decay", {"optim.weight_decay": 0.001}, "val_accuracy", 0.86, 0.002),
    ("weight-decay", {"optim.weight_decay": 0.001}, "val_loss", 0.49, 0.005),
    ("weight-decay", {}, "train_accuracy", 0.975, 0.002),
    ("weight-decay", {}, "val_accuracy", 0.865, 0.002),
    ("weight-decay", {}, "val_loss", 0.32, 0.005),
    ("weight-decay", {"optim.weight_decay": 0.1}, "train_accuracy", 0.85, 0.002),
    ("weight-decay", {"optim.weight_decay": 0.1}, "val_accuracy", 0.84, 0.002),
    ("weight-decay", {"optim.weight_decay": 0.1}, "val_loss", 0.38, 0.005),
    ("weight-decay", ADAMW, "train_accuracy", 1.0, 0.002),
    ("weight-decay", ADAMW, "val_accuracy", 0.865, 0.002),
    ("weight-decay", ADAMW, "val_loss", 0.96, 0.005),
    ("weight-decay", {**ADAMW, "optim.weight_decay": 0.1}, "train_accuracy", 1.0, 0.002),
    ("weight-decay", {**ADAMW, "optim.weight_decay": 0.1}, "val_accuracy", 0.865, 0.002),
    ("weight-decay", {**ADAMW, "optim.weight_decay": 0.1}, "val_loss", 0.72, 0.005),
    ("weight-decay", {**ADAMW, "optim.weight_decay": 1}, "train_accuracy", 1.0, 0.002),
    ("weight-decay", {**ADAMW, "optim.weight_decay": 1}, "val_accuracy", 0.86, 0.002),
    ("weight-decay", {**ADAMW, "optim.weight_decay": 1}, "val_loss", 0.6, 0.005),
    ("weight-decay", {}, "steps", 200, 0),
    ("batch-norm", {}, "val_accuracy", 0.5, 0.002),
    ("batch-norm", {"model.batch_norm": True}, "val_accuracy", 0.82, 0.002),
    ("batch-norm", {"model.batch_norm": True}, "best_val_accuracy", 0.88, 0.002),
    ("batch-norm", {"model.activation": "relu"}, "val_accuracy", 0.89, 0.002),
    ("batch-norm", {"model.activation": "relu", "model.batch_norm": True}, "val_accuracy", 0.94,
     0.002),
]  # fmt: skip

NOT_MEASURED = {
    "overfitting": {
        "95%": "the worked example's hypothetical training accuracy",
        "70%": "the worked example's hypothetical validation accuracy",
        "60%": "the worked example's hypothetical training accuracy",
        "59%": "the worked example's hypothetical validation accuracy",
        "98%": "a quiz's hypothetical training accuracy",
        "81%": "a quiz's hypothetical validation accuracy",
        "72%": "a quiz's hypothetical training accuracy",
        "71%": "a quiz's hypothetical validation accuracy",
        "97%": "a quiz's hypothetical human accuracy on the task",
        "16": "the quiz's hypothetical best epoch",
        "36": "the quiz's answer: 16 + 20, worked in its explanation",
    },
    "regularization": {
        "4": "a batch size too small for batch normalization, an illustration",
    },
}

CHECKED_BY = {
    "overfitting": {"300": "test_overfitting_lesson_more_data_narrows_the_gap"},
}


@pytest.mark.parametrize(("lab_slug", "changes", "field", "quoted", "tolerance"), CLAIMS)
def test_quoted_result_still_holds(lab_slug, changes, field, quoted, tolerance):
    assert_quoted(lab_slug, changes, field, quoted, tolerance)


def test_overfitting_lesson_more_data_narrows_the_gap():
    """All 300 training points: the gap between validation and training loss shrinks, and the
    40-point validation loss climbs to about three times its best."""
    assert last_event("overfit-small-data", "info", {"data.train_size": "all"})["n_train"] == 300
    small, full = (summary_for("overfit-small-data", changes)
                   for changes in ({}, {"data.train_size": "all"}))
    assert full["val_loss"] - full["train_loss"] < (small["val_loss"] - small["train_loss"]) / 2
    assert small["val_loss"] / small["best_val_loss"] == pytest.approx(3, abs=0.15)
    assert summary_for("overfit-small-data", {"model.hidden": [8]})["val_loss"] < small["val_loss"]


def test_overfitting_lesson_early_stopping_event():
    """The early-stopping lab stops 20 epochs after the best validation loss (epoch 17), and
    restoring gives back that epoch's model; the same stop without restoring keeps a model
    whose validation loss is more than twice the best."""
    stop = last_event("early-stopping", "early_stop")
    assert (stop["best_val_loss_epoch"], stop["epoch"], stop["patience"]) == (17, 37, 20)
    restored = summary_for("early-stopping", {})
    kept = summary_for("early-stopping", LAST_WEIGHTS)
    assert restored["val_loss"] == pytest.approx(stop["best_val_loss"])
    assert kept["val_loss"] > 2 * restored["val_loss"]
    # The lab is the first lab's run with early stopping: the same epochs up to the stop.
    plain = [m["val_loss"] for m in epoch_metrics("overfit-small-data")][:37]
    assert [m["val_loss"] for m in epoch_metrics("early-stopping")] == pytest.approx(plain)


def test_regularization_lesson_orderings():
    """Coupled Adam 0.01 tames the loss best; 0.1 underfits (both accuracies drop); AdamW's λ
    works on another scale: at 0.01 it barely differs from no decay, and even at 1 it stays
    above coupled Adam at 0.01."""
    def run(**changes):
        return summary_for("weight-decay", {f"optim.{k}": v for k, v in changes.items()})

    coupled = {wd: run(weight_decay=wd)["val_loss"] for wd in (0, 0.001, 0.01, 0.1)}
    assert min(coupled, key=coupled.get) == 0.01
    assert run(weight_decay=0.1)["train_accuracy"] < run()["train_accuracy"] < 1
    decoupled = {wd: run(name="adamw", weight_decay=wd)["val_loss"] for wd in (0.01, 0.1, 1)}
    assert decoupled[0.01] > decoupled[0.1] > decoupled[1] > coupled[0.01]
    assert coupled[0] - decoupled[0.01] < 0.05
    assert summary_for("dropout", {})["val_loss"] < coupled[0]
    # "the training loss ... stays above the unregularized run's"
    assert summary_for("dropout", {})["train_loss"] > run(weight_decay=0)["train_loss"]
