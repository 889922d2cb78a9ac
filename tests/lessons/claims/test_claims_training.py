"""The numbers the training-neural-networks lessons quote still hold (see support.py)."""

import pytest

from tests.lessons.claims.support import assert_quoted, last_event

# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance)
CLAIMS = [
    ("learning-rate", {"optim.lr": 0.01}, "val_accuracy", 0.58, 0.02),
    ("learning-rate", {}, "val_accuracy", 0.82, 0.02),
    ("learning-rate", {}, "steps", 50, 0),
    ("learning-rate", {"optim.lr": 1}, "val_accuracy", 0.91, 0.02),
    ("learning-rate", {"optim.lr": 3}, "val_accuracy", 0.73, 0.02),
    ("learning-rate", {"optim.lr": 3}, "best_val_accuracy", 0.92, 0.02),
    ("learning-rate", {"optim.lr": 10}, "val_accuracy", 0.5, 0.02),
    ("learning-rate", {"optim.lr": 10}, "train_loss", 2.47, 0.02),
    ("vanishing-gradients", {}, "val_accuracy", 0.5, 0.02),
    ("vanishing-gradients", {"model.activation": "relu"}, "val_accuracy", 0.85, 0.02),
    ("vanishing-gradients", {"model.activation": "tanh"}, "val_accuracy", 0.87, 0.02),
    ("batch-size-and-lr", {"optim.batch_size": 1}, "val_accuracy", 0.96, 0.02),
    ("batch-size-and-lr", {"optim.batch_size": 1}, "steps", 8000, 0),
    ("batch-size-and-lr", {}, "val_accuracy", 0.87, 0.02),
    ("batch-size-and-lr", {}, "steps", 260, 0),
    ("batch-size-and-lr", {"optim.batch_size": "full"}, "val_accuracy", 0.79, 0.02),
    ("batch-size-and-lr", {"optim.batch_size": "full"}, "steps", 20, 0),
    ("batch-size-and-lr", {"optim.batch_size": "full"}, "train_loss", 0.525, 0.02),
    ("batch-size-and-lr", {"optim.batch_size": "full", "optim.lr": 1}, "val_accuracy", 0.86, 0.02),
    ("batch-size-and-lr", {"optim.batch_size": 1, "optim.lr": 1}, "val_accuracy", 0.5, 0.02),
]  # fmt: skip


@pytest.mark.parametrize(("lab_slug", "changes", "field", "quoted", "tolerance"), CLAIMS)
def test_quoted_result_still_holds(lab_slug, changes, field, quoted, tolerance):
    assert_quoted(lab_slug, changes, field, quoted, tolerance)


def test_backpropagation_lesson_gradient_sizes():
    """Sigmoid: first layer ~0.00003 against ~0.21 for the last; ReLU and tanh keep their size."""
    sigmoid = last_event("vanishing-gradients", "gradient_norms")["norms"]
    assert sigmoid[0] < 1e-4 and sigmoid[-1] == pytest.approx(0.21, abs=0.02)
    assert sigmoid[-1] / sigmoid[0] > 1000  # "about 7000 times smaller"
    relu = last_event("vanishing-gradients", "gradient_norms", {"model.activation": "relu"})
    assert relu["norms"][0] == pytest.approx(0.16, abs=0.02)
    assert relu["norms"][-1] == pytest.approx(0.18, abs=0.02)
    tanh = last_event("vanishing-gradients", "gradient_norms", {"model.activation": "tanh"})
    assert tanh["norms"][0] == pytest.approx(0.12, abs=0.02)
    assert tanh["norms"][-1] == pytest.approx(0.08, abs=0.02)
