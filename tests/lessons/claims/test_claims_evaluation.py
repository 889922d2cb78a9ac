"""The numbers the evaluation-and-metrics lessons quote still hold (see support.py)."""

import pytest

from tests.lessons.claims.support import assert_quoted, last_event, summary_for

# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance)
CLAIMS = [
    ("single-split", {}, "val_accuracy", 0.875, 0.02),
    ("single-split", {"data.seed": 1}, "val_accuracy", 0.95, 0.02),
    ("single-split", {"data.seed": 2}, "val_accuracy", 0.925, 0.02),
    ("single-split", {"data.seed": 3}, "val_accuracy", 0.9, 0.02),
    ("single-split", {"data.seed": 4}, "val_accuracy", 0.9, 0.02),
    ("digits-confusion", {}, "val_accuracy", 0.85, 0.02),
    ("digits-confusion", {}, "val_macro_f1", 0.85, 0.02),
    ("digits-confusion", {}, "train_accuracy", 1.0, 0.02),
    ("digits-confusion", {"data.train_size": "all"}, "val_accuracy", 0.93, 0.02),
]  # fmt: skip


@pytest.mark.parametrize(("lab_slug", "changes", "field", "quoted", "tolerance"), CLAIMS)
def test_quoted_result_still_holds(lab_slug, changes, field, quoted, tolerance):
    assert_quoted(lab_slug, changes, field, quoted, tolerance)


def test_model_evaluation_lesson_folds():
    cv = summary_for("cross-validation", {})["cv"]
    folds = [f["val_accuracy"] for f in cv["folds"]]
    assert folds == pytest.approx([0.90, 0.90, 0.90, 0.85, 0.975], abs=0.001)
    assert cv["mean_val_accuracy"] == pytest.approx(0.905, abs=0.001)
    assert cv["std_val_accuracy"] == pytest.approx(0.04, abs=0.001)


def test_metrics_lesson_confusion_matrix_counts_the_validation_set():
    matrix = last_event("digits-confusion", "confusion_matrix")["matrix"]
    assert sum(map(sum, matrix)) == 100
    assert sum(matrix[i][i] for i in range(10)) == 85
