"""The numbers the ROC, PR and class imbalance lesson quotes still hold (see support.py):
its lab's runs, and the roc-point figure's 20 examples recomputed with scikit-learn."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from sklearn import metrics

from tests.lessons.claims.support import last_event, summary_for

LAB = "rare-positives"
BALANCED_WEIGHTS = {"optim.class_weights": "balanced"}
BALANCED_DATA = {"data.minority_fraction": 0.5}

# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance)
CLAIMS = [
    (LAB, {}, "val_accuracy", 0.954, 0.0005),
    (LAB, {}, "roc_auc", 0.914, 0.0005),
    (LAB, {}, "average_precision", 0.497, 0.0005),
    (LAB, BALANCED_WEIGHTS, "val_accuracy", 0.912, 0.0005),
    (LAB, BALANCED_WEIGHTS, "roc_auc", 0.927, 0.0005),
    (LAB, BALANCED_WEIGHTS, "average_precision", 0.65, 0.005),
    (LAB, BALANCED_DATA, "roc_auc", 0.975, 0.002),
    (LAB, BALANCED_DATA, "average_precision", 0.975, 0.002),
]  # fmt: skip

NOT_MEASURED = {
    "roc-pr-and-imbalance": {
        "900": "a quiz's hypothetical training set (900 of class 0)",
        "100": "a quiz's hypothetical training set (100 of class 1)",
        "80%": "the definition of calibration, illustrated at probability 0.8",
    },
}

CHECKED_BY = {
    "roc-pr-and-imbalance": {
        "500": "test_imbalance_lesson_validation_set",
        "25": "test_imbalance_lesson_validation_set",
        "475": "test_imbalance_lesson_validation_set",
        "95%": "test_imbalance_lesson_validation_set",
        "10": "test_imbalance_lesson_recall_and_precision",
        "0.4": "test_imbalance_lesson_recall_and_precision",
        "21": "test_imbalance_lesson_recall_and_precision",
        "0.84": "test_imbalance_lesson_recall_and_precision",
        "0.556": "test_imbalance_lesson_recall_and_precision",
        "0.344": "test_imbalance_lesson_recall_and_precision",
        "0.9": "test_imbalance_lesson_recall_and_precision",
        "2": "test_imbalance_lesson_other_seeds",
        "0.8": "test_imbalance_lesson_other_seeds",
        "5.7%": "test_imbalance_lesson_calibration",
        "15.7%": "test_imbalance_lesson_calibration",
        "0.97": "test_imbalance_lesson_calibration",
        "64%": "test_imbalance_lesson_calibration",
        "20": "test_imbalance_lesson_figure",
    },
}


def test_quoted_claims_hold():
    for lab_slug, changes, field, quoted, tolerance in CLAIMS:
        assert summary_for(lab_slug, changes)[field] == pytest.approx(quoted, abs=tolerance), (
            changes, field)


def test_imbalance_lesson_validation_set():
    """500 validation samples, 25 positive and 475 negative: "always class 0" scores 95%."""
    report = last_event(LAB, "classification_report")
    assert report["support"] == [475, 25]
    assert sum(report["support"]) == 500
    assert report["support"][0] / 500 == pytest.approx(0.95)
    assert last_event(LAB, "info")["n_val"] == 500


def test_imbalance_lesson_recall_and_precision():
    """Unweighted: 10 of 25 found (recall 0.4), precision 0.556, just above the 95% of
    always answering class 0. Balanced weights: 21 of 25 (0.84), precision 0.344, ROC AUC
    still above 0.9 while most predicted positives are false alarms."""
    plain = last_event(LAB, "classification_report")
    assert plain["recall"][1] == pytest.approx(0.4) and round(0.4 * 25) == 10
    assert plain["precision"][1] == pytest.approx(0.556, abs=0.0005)
    weighted = last_event(LAB, "classification_report", BALANCED_WEIGHTS)
    assert weighted["recall"][1] == pytest.approx(0.84) and round(0.84 * 25) == 21
    assert weighted["precision"][1] == pytest.approx(0.344, abs=0.0005)
    assert weighted["precision"][1] < 0.5 < 0.9 < summary_for(LAB, BALANCED_WEIGHTS)["roc_auc"]
    assert summary_for(LAB, {})["val_accuracy"] > 0.95


@pytest.mark.parametrize("seed", [1, 2])
def test_imbalance_lesson_other_seeds(seed):
    """Seeds 1 and 2: recall of class 1 at most 0.4 unweighted, at least 0.8 weighted; the
    ROC AUC moves by little, and the average precision stays far below it."""
    plain = last_event(LAB, "classification_report", {"data.seed": seed})
    weighted = last_event(LAB, "classification_report", {"data.seed": seed, **BALANCED_WEIGHTS})
    assert plain["recall"][1] <= 0.4 and weighted["recall"][1] >= 0.8
    for changes in ({"data.seed": seed}, {"data.seed": seed, **BALANCED_WEIGHTS}):
        summary = summary_for(LAB, changes)
        assert summary["average_precision"] < summary["roc_auc"] - 0.15
    auc_moves = (summary_for(LAB, {"data.seed": seed, **BALANCED_WEIGHTS})["roc_auc"]
                 - summary_for(LAB, {"data.seed": seed})["roc_auc"])
    assert abs(auc_moves) < 0.02


def _mean_predicted(changes: dict) -> float:
    calibration = last_event(LAB, "ranking", changes)["calibration"]
    total = sum(n * p for n, p in zip(calibration["count"], calibration["mean_predicted"],
                                      strict=True))
    return total / sum(calibration["count"])


def test_imbalance_lesson_calibration():
    """Mean predicted probability of class 1: 5.7% unweighted (5% are), 15.7% weighted; the
    weighted model's last bin (0.9 to 1) promises 0.97 and is 64% class 1."""
    assert _mean_predicted({}) == pytest.approx(0.057, abs=0.0005)
    assert _mean_predicted(BALANCED_WEIGHTS) == pytest.approx(0.157, abs=0.0005)
    calibration = last_event(LAB, "ranking", BALANCED_WEIGHTS)["calibration"]
    assert calibration["lower"][-1] == pytest.approx(0.9)
    assert calibration["mean_predicted"][-1] == pytest.approx(0.97, abs=0.005)
    assert calibration["fraction_positive"][-1] == pytest.approx(0.64, abs=0.005)


def _figure_constant(name: str) -> list[float]:
    source = (Path(settings.BASE_DIR) / "static/js/figures/threshold.js").read_text("utf-8")
    return json.loads(re.search(rf"export const {name} = (\[.*?\]);", source).group(1))


def test_imbalance_lesson_figure():
    """The 20 examples (8 positive, 12 negative): at t = 0.5, TPR 0.875, FPR 0.25, precision
    0.7; ROC AUC 87/96 ≈ 0.906 and AP 0.885; with every negative counted 10 times the AUC
    stays, precision at 0.5 is 7/37 ≈ 0.189 and AP 0.638 (scikit-learn, sample weights)."""
    scores, labels = _figure_constant("SCORES"), _figure_constant("LABELS")
    assert (len(scores), labels.count(1), labels.count(0)) == (20, 8, 12)
    for k, ap in ((1, 0.885), (10, 0.638)):
        weights = [1 if label else k for label in labels]
        assert metrics.roc_auc_score(labels, scores, sample_weight=weights) == pytest.approx(
            87 / 96)
        assert metrics.average_precision_score(
            labels, scores, sample_weight=weights) == pytest.approx(ap, abs=0.0005)
    called = [score >= 0.5 for score in scores]
    tp = sum(c and y == 1 for c, y in zip(called, labels, strict=True))
    fp = sum(c and y == 0 for c, y in zip(called, labels, strict=True))
    assert (tp / 8, fp / 12, tp / (tp + fp)) == pytest.approx((0.875, 0.25, 0.7))
    assert tp / (tp + 10 * fp) == pytest.approx(0.189, abs=0.0005)
