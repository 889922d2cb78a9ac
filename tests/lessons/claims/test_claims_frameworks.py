"""The numbers the frameworks lessons quote still hold (see support.py)."""

import pytest

from tests.lessons.claims.support import assert_quoted, run_for

# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance)
CLAIMS = [
    ("pytorch-mlp", {}, "val_accuracy", 0.95, 0.004),
    ("pytorch-mlp", {}, "n_params", 354, 0),
    ("pytorch-mlp", {}, "steps", 390, 0),
    ("pytorch-mlp", {"model.hidden": [32, 32]}, "n_params", 1218, 0),
]  # fmt: skip


@pytest.mark.parametrize(("lab_slug", "changes", "field", "quoted", "tolerance"), CLAIMS)
def test_quoted_result_still_holds(lab_slug, changes, field, quoted, tolerance):
    assert_quoted(lab_slug, changes, field, quoted, tolerance)


NOT_MEASURED = {
    "deep-learning-frameworks": {
        "2015": "a date", "2016": "a date", "2017": "a date", "2023": "a date",
        "2": "the moons' 2 inputs and 2 classes; TensorFlow 2, a version",
        "6": "a quiz slip, 400 / 64 rounded down",
    },
}
CHECKED_BY = {
    "deep-learning-frameworks": {
        "400": "test_frameworks_lesson_steps_per_epoch",
        "13": "test_frameworks_lesson_steps_per_epoch",
    },
}


def test_frameworks_lesson_steps_per_epoch():
    """400 training points in batches of 32: 13 steps per epoch, 390 in 30 epochs."""
    summary, events = run_for("pytorch-mlp", {})
    info = [e.payload for e in events if e.type == "info"][-1]
    assert info["n_train"] == 400
    assert summary["steps"] == 13 * 30
