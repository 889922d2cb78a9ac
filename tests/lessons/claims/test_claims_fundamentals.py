"""The numbers the neural-network-fundamentals lessons quote still hold (see support.py)."""

import pytest

from tests.lessons.claims.support import assert_quoted

# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance)
CLAIMS = [
    ("activations-on-moons", {}, "val_accuracy", 0.96, 0.02),
    ("activations-on-moons", {}, "n_params", 114, 0),
    ("activations-on-moons", {"model.activation": "tanh"}, "val_accuracy", 0.95, 0.02),
    ("activations-on-moons", {"model.activation": "sigmoid"}, "val_accuracy", 0.85, 0.02),
    ("activations-on-moons", {"model.activation": "sigmoid", "optim.epochs": 100}, "val_accuracy",
     0.87, 0.02),
    ("activations-on-moons", {"model.activation": "linear"}, "val_accuracy", 0.85, 0.02),
]  # fmt: skip


@pytest.mark.parametrize(("lab_slug", "changes", "field", "quoted", "tolerance"), CLAIMS)
def test_quoted_result_still_holds(lab_slug, changes, field, quoted, tolerance):
    assert_quoted(lab_slug, changes, field, quoted, tolerance)
