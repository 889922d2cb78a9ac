"""The numbers the introduction lessons quote still hold (see support.py)."""

import pytest

from tests.lessons.claims.support import assert_quoted

# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance)
CLAIMS = [
    ("linear-vs-mlp", {}, "val_accuracy", 0.37, 0.02),
    ("linear-vs-mlp", {}, "train_loss", 0.692, 0.02),
    ("linear-vs-mlp", {"model.hidden": [16, 16]}, "val_accuracy", 1.0, 0.02),
    ("linear-vs-mlp", {"model.hidden": [16, 16]}, "best_epoch", 5, 0),
    ("linear-vs-mlp", {"model.hidden": [16, 16]}, "n_params", 354, 0),
]  # fmt: skip


@pytest.mark.parametrize(("lab_slug", "changes", "field", "quoted", "tolerance"), CLAIMS)
def test_quoted_result_still_holds(lab_slug, changes, field, quoted, tolerance):
    assert_quoted(lab_slug, changes, field, quoted, tolerance)
