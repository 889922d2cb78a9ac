"""The numbers the frameworks lessons quote still hold (see support.py)."""

import pytest

from tests.lessons.claims.support import assert_quoted

# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance)
CLAIMS = [
    ("pytorch-mlp", {}, "val_accuracy", 0.95, 0.02),
    ("pytorch-mlp", {}, "n_params", 354, 0),
    ("pytorch-mlp", {}, "steps", 390, 0),
    ("pytorch-mlp", {"model.hidden": [32, 32]}, "n_params", 1218, 0),
]  # fmt: skip


@pytest.mark.parametrize(("lab_slug", "changes", "field", "quoted", "tolerance"), CLAIMS)
def test_quoted_result_still_holds(lab_slug, changes, field, quoted, tolerance):
    assert_quoted(lab_slug, changes, field, quoted, tolerance)
