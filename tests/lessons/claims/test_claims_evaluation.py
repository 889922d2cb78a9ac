"""The numbers the evaluation-and-metrics lessons quote still hold (see support.py)."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from engine import parse_config
from engine.datasets import load_dataset
from tests.lessons.claims.support import (
    PRESETS,
    assert_quoted,
    last_event,
    run_for,
    summary_for,
)

# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance)
CLAIMS = [
    ("single-split", {}, "val_accuracy", 0.875, 0.002),
    ("single-split", {"data.seed": 1}, "val_accuracy", 0.95, 0.002),
    ("single-split", {"data.seed": 2}, "val_accuracy", 0.925, 0.002),
    ("single-split", {"data.seed": 3}, "val_accuracy", 0.9, 0.002),
    ("single-split", {"data.seed": 4}, "val_accuracy", 0.9, 0.002),
    ("digits-confusion", {}, "val_accuracy", 0.85, 0.002),
    ("digits-confusion", {}, "val_macro_f1", 0.85, 0.002),
    ("digits-confusion", {}, "train_accuracy", 1.0, 0.002),
    ("digits-confusion", {"data.train_size": "all"}, "val_accuracy", 0.93, 0.002),
]  # fmt: skip

NOT_MEASURED = {
    "model-evaluation": {
        "60": "a common split, 60/20/20, a convention",
        "80": "a common split, 80/10/10, a convention",
        "20": "a common split, 60/20/20, a convention",
        "3": "an illustrative gap between two models, against the standard error beside it",
        "5%": "a hypothetical share of positives in a quiz explanation",
    },
    "performance-metrics": {
        "92%": "the opening's hypothetical accuracy",
        "8%": "the opening's hypothetical share of mistakes (100% - 92%)",
        "2000": "a quiz's hypothetical number of loans",
        "40": "a quiz's hypothetical number of defaults among the 2000 loans",
        "98%": "a quiz's accuracy of always answering no default: 1960 of 2000",
        "2%": "a quiz distractor: 100% - 98%",
    },
}

CHECKED_BY = {
    "model-evaluation": {
        "40": "test_model_evaluation_lesson_split_sizes",
        "160": "test_model_evaluation_lesson_split_sizes",
        "7.5": "test_model_evaluation_lesson_seeds_spread",
        "0.85": "test_model_evaluation_lesson_folds",
        "0.975": "test_model_evaluation_lesson_folds",
        "90.5%": "test_model_evaluation_lesson_folds",
        "4.5": "test_model_evaluation_lesson_folds",
        "4.5%": "test_model_evaluation_lesson_folds",
        "2": "test_model_evaluation_lesson_folds",
    },
    "performance-metrics": {
        number: "test_metrics_lesson_threshold_figure"
        for number in ("0.3", "0.5", "0.55", "0.6", "0.7", "0.75", "0.8", "0.05", "0.571",
                       "0.727", "0.875", "0.778", "0.833", "0.625", "0.714", "0.667", "3", "4",
                       "5", "6", "7", "8", "9", "11", "12")
    } | {
        "1000": "test_metrics_lesson_fraud_example",
        "10": "test_metrics_lesson_fraud_example",
        "99%": "test_metrics_lesson_fraud_example",
        "100": "test_metrics_lesson_confusion_matrix_counts_the_validation_set",
        "15": "test_metrics_lesson_confusion_matrix_counts_the_validation_set",
        "400": "test_metrics_lesson_confusion_matrix_counts_the_validation_set",
    },
}


@pytest.mark.parametrize(("lab_slug", "changes", "field", "quoted", "tolerance"), CLAIMS)
def test_quoted_result_still_holds(lab_slug, changes, field, quoted, tolerance):
    assert_quoted(lab_slug, changes, field, quoted, tolerance)


def test_model_evaluation_lesson_split_sizes():
    """200 points: 160 to train, 40 to validate; 5 folds of 40."""
    info = last_event("single-split", "info")
    assert (info["n_train"], info["n_val"]) == (160, 40)
    _, events = run_for("cross-validation", {})
    folds = [e.payload for e in events if e.type == "info"]
    assert [(f["fold"], f["n_train"], f["n_val"]) for f in folds] == [
        (fold, 160, 40) for fold in range(1, 6)]


def test_model_evaluation_lesson_seeds_spread():
    """Seeds 0 to 4 range over 7.5 points, 87.5% to 95%, and seed 1 is the best."""
    accuracy = [summary_for("single-split", {"data.seed": seed})["val_accuracy"]
                for seed in range(5)]
    assert max(accuracy) - min(accuracy) == pytest.approx(0.075, abs=0.001)
    assert accuracy.index(max(accuracy)) == 1


def test_model_evaluation_lesson_folds():
    """Folds 0.90, 0.90, 0.90, 0.85, 0.975 (85% to 97.5%): mean 90.5% ± 4.5 points (sample
    standard deviation across the folds), standard error of the mean about 2 points."""
    cv = summary_for("cross-validation", {})["cv"]
    folds = [f["val_accuracy"] for f in cv["folds"]]
    assert folds == pytest.approx([0.90, 0.90, 0.90, 0.85, 0.975], abs=0.001)
    assert cv["mean_val_accuracy"] == pytest.approx(0.905, abs=0.0005)
    assert cv["std_val_accuracy"] == pytest.approx(0.045, abs=0.0005)
    assert cv["sem_val_accuracy"] == pytest.approx(0.02, abs=0.0005)


def _figure_constant(name: str) -> list[float]:
    source = (Path(settings.BASE_DIR) / "static/js/figures/threshold.js").read_text("utf-8")
    return json.loads(re.search(rf"export const {name} = (\[.*?\]);", source).group(1))


def metrics_at(threshold: float) -> dict:
    """The threshold figure's metricsAt, on its own SCORES and LABELS."""
    scores, labels = _figure_constant("SCORES"), _figure_constant("LABELS")
    called = [s >= threshold for s in scores]
    tp = sum(c and y == 1 for c, y in zip(called, labels, strict=True))
    fp = sum(c and y == 0 for c, y in zip(called, labels, strict=True))
    fn, tn = labels.count(1) - tp, labels.count(0) - fp
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision, "recall": recall,
            "f1": 2 * precision * recall / (precision + recall), "accuracy": (tp + tn) / 20}


def test_metrics_lesson_threshold_figure():
    """The table's rows, the accuracies 0.8, 0.85, 0.8, 0.85, 0.8, 0.75, 0.8 from 0.5 to 0.8
    in steps of 0.05, precision falling from 0.778 to 0.75 between 0.55 and 0.6, and the
    counts only moving one way."""
    assert (_figure_constant("LABELS").count(1), _figure_constant("LABELS").count(0)) == (8, 12)
    table = {  # threshold: (TP, FP, FN, TN, precision, recall, F1, accuracy)
        0.3: (8, 6, 0, 6, 0.571, 1, 0.727, 0.70),
        0.5: (7, 3, 1, 9, 0.7, 0.875, 0.778, 0.80),
        0.7: (5, 1, 3, 11, 0.833, 0.625, 0.714, 0.80),
        0.8: (4, 0, 4, 12, 1, 0.5, 0.667, 0.80),
    }
    for threshold, row in table.items():
        m = metrics_at(threshold)
        assert (m["tp"], m["fp"], m["fn"], m["tn"]) == row[:4], threshold
        measured = (m["precision"], m["recall"], m["f1"], m["accuracy"])
        assert measured == pytest.approx(row[4:], abs=0.0005), threshold
    steps = [round(0.5 + 0.05 * i, 2) for i in range(7)]
    assert [metrics_at(t)["accuracy"] for t in steps] == pytest.approx(
        [0.8, 0.85, 0.8, 0.85, 0.8, 0.75, 0.8])
    assert metrics_at(0.55)["precision"] == pytest.approx(0.778, abs=0.0005)
    assert metrics_at(0.6)["precision"] == pytest.approx(0.75)
    grid = [metrics_at(round(0.05 * i, 2)) for i in range(1, 18)]
    for a, b in zip(grid, grid[1:], strict=False):
        assert b["tn"] >= a["tn"] and b["fn"] >= a["fn"] and b["fp"] <= a["fp"]
        assert b["recall"] <= a["recall"]
    # "0.729", the plain average of precision and recall at 0.7, is not its F1 of 0.714
    at_07 = metrics_at(0.7)
    assert (at_07["precision"] + at_07["recall"]) / 2 == pytest.approx(0.729, abs=0.0005)
    # The quiz's threshold 0.75: the negative scored exactly 0.75 is called positive (>=).
    at_075 = metrics_at(0.75)
    assert (at_075["tp"], at_075["fp"], at_075["fn"]) == (4, 1, 4)
    assert at_075["f1"] == pytest.approx(0.615, abs=0.0005)


def test_metrics_lesson_fraud_example():
    """1000 transactions, 10 fraud, "never fraud": 990 right, 99% accuracy, recall 0."""
    truth = [1] * 10 + [0] * 990
    predicted = [0] * 1000
    right = sum(t == p for t, p in zip(truth, predicted, strict=True))
    assert (len(truth), sum(truth), right) == (1000, 10, 990)
    assert right / len(truth) == pytest.approx(0.99)
    assert sum(t and p for t, p in zip(truth, predicted, strict=True)) / sum(truth) == 0


def test_metrics_lesson_confusion_matrix_counts_the_validation_set():
    """100 validation images, 85 on the diagonal (15 mistakes), with 60 training images or
    with 30; all 400 training images give 93%."""
    for changes in ({}, {"data.train_size": 30}):
        matrix = last_event("digits-confusion", "confusion_matrix", changes)["matrix"]
        assert sum(map(sum, matrix)) == 100
    matrix = last_event("digits-confusion", "confusion_matrix")["matrix"]
    assert 100 - sum(matrix[i][i] for i in range(10)) == 15
    assert last_event("digits-confusion", "info", {"data.train_size": "all"})["n_train"] == 400
    assert last_event("digits-confusion", "info")["n_train"] == 60
    training_labels = load_dataset(parse_config(PRESETS["digits-confusion"]).data).y_train
    assert training_labels.bincount().tolist() == [6] * 10  # "6 per digit"
