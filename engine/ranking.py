"""How well a binary classifier ranks: ROC and precision-recall curves with their areas,
and the calibration bins of a reliability diagram, all from the scores of class 1.

The same numbers as scikit-learn's roc_curve(drop_intermediate=False), roc_auc_score,
precision_recall_curve, average_precision_score and calibration_curve(strategy="uniform"),
computed with numpy in float64 so the engine needs no scikit-learn call at run time.
"""

import numpy as np

CALIBRATION_BINS = 10


def ranking_report(y_true: np.ndarray, scores: np.ndarray) -> dict[str, object]:
    """Curves and areas of the scores of class 1 against the labels (1 = positive).

    roc: {fpr, tpr, thresholds}; the first point (0, 0) predicts nothing positive, point
    i > 0 predicts positive every score >= thresholds[i - 1] (so thresholds has one item
    fewer than fpr). pr: {precision, recall} from the highest threshold down, starting at
    (recall 0, precision 1) as scikit-learn's curve ends. calibration: the non-empty bins
    of CALIBRATION_BINS equal-width bins of [0, 1]: their lower edge, count, mean score and
    fraction of positives.
    """
    y_true = np.asarray(y_true, dtype=np.int64)
    scores = np.asarray(scores, dtype=np.float64)
    n_positive = int(y_true.sum())
    n_negative = len(y_true) - n_positive
    if n_positive == 0 or n_negative == 0:
        raise ValueError("ROC and PR curves need both classes among the labels")
    thresholds, true_positives, false_positives = _counts_by_threshold(y_true, scores)
    tpr = np.concatenate([[0.0], true_positives / n_positive])
    fpr = np.concatenate([[0.0], false_positives / n_negative])
    precision = true_positives / (true_positives + false_positives)
    recall = true_positives / n_positive
    return {
        "n": len(y_true),
        "n_positive": n_positive,
        "roc": {"fpr": fpr.tolist(), "tpr": tpr.tolist(), "thresholds": thresholds.tolist()},
        "roc_auc": float(np.trapezoid(tpr, fpr)),
        "pr": {
            "precision": [1.0, *precision.tolist()],
            "recall": [0.0, *recall.tolist()],
        },
        # Each step up in recall counts at the precision reached there (no interpolation).
        "average_precision": float(np.sum(np.diff(np.concatenate([[0.0], recall])) * precision)),
        "calibration": calibration_bins(y_true, scores),
    }


def calibration_bins(y_true: np.ndarray, scores: np.ndarray) -> dict[str, list[float]]:
    """The reliability diagram's points: for each non-empty bin of the scores, the mean
    score (what the model promised) and the fraction of positives (what happened)."""
    edges = np.linspace(0.0, 1.0, CALIBRATION_BINS + 1)
    # As scikit-learn: a score on an inner edge belongs to the bin below it.
    bins = np.searchsorted(edges[1:-1], scores)
    count = np.bincount(bins, minlength=CALIBRATION_BINS)
    score_sum = np.bincount(bins, weights=scores, minlength=CALIBRATION_BINS)
    positive_sum = np.bincount(bins, weights=y_true, minlength=CALIBRATION_BINS)
    filled = count > 0
    return {
        "lower": edges[:-1][filled].tolist(),
        "count": count[filled].tolist(),
        "mean_predicted": (score_sum[filled] / count[filled]).tolist(),
        "fraction_positive": (positive_sum[filled] / count[filled]).tolist(),
    }


def _counts_by_threshold(
    y_true: np.ndarray, scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each distinct score from the highest down, with the true and false positives of
    predicting positive every score at or above it (tied scores move together)."""
    order = np.argsort(scores, kind="mergesort")[::-1]
    ranked_scores, ranked_labels = scores[order], y_true[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(ranked_scores)), len(ranked_scores) - 1]
    true_positives = np.cumsum(ranked_labels)[last_of_tie].astype(np.float64)
    false_positives = (last_of_tie + 1) - true_positives
    return ranked_scores[last_of_tie], true_positives, false_positives
