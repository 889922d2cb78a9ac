"""Classification metrics: counted with torch on whatever device the tensors live, then
derived on the host from those counts.

Everything a classifier reports about its predictions (confusion matrix, accuracy,
precision, recall, F1, the fairness rates) follows from a table of counts. The counts are
made on the device without reading anything back (no bincount or boolean mask, whose
CUDA kernels read the data to size their result), copied to the host once, and the rest
is arithmetic on those integers.
"""

import torch


def confusion_counts(y_true: torch.Tensor, y_pred: torch.Tensor, n_classes: int) -> torch.Tensor:
    """(n_classes, n_classes) counts of (true class, predicted class), on their device."""
    pair_index = y_true.long() * n_classes + y_pred.long()
    counts = torch.zeros(n_classes * n_classes, dtype=torch.long, device=pair_index.device)
    counts.scatter_add_(0, pair_index, torch.ones_like(pair_index))
    return counts.reshape(n_classes, n_classes)


def confusion_matrix(
    y_true: torch.Tensor, y_pred: torch.Tensor, n_classes: int
) -> list[list[int]]:
    """Counts of (true class, predicted class): rows are true classes, like scikit-learn."""
    return confusion_counts(y_true, y_pred, n_classes).tolist()


def accuracy(y_true: torch.Tensor, y_pred: torch.Tensor) -> float:
    if y_true.numel() == 0:
        raise ValueError("accuracy of an empty set is undefined")
    # An exact fraction of two ints, not a float32 mean, so 0.9825 is reported as 0.9825.
    return (y_true == y_pred).sum().item() / y_true.numel()


def matrix_accuracy(matrix: list[list[int]]) -> float:
    """The share on the diagonal of a confusion matrix (an exact fraction of two ints)."""
    total = sum(map(sum, matrix))
    if total == 0:
        raise ValueError("accuracy of an empty set is undefined")
    return sum(row[k] for k, row in enumerate(matrix)) / total


def classification_report(
    y_true: torch.Tensor, y_pred: torch.Tensor, n_classes: int
) -> dict[str, object]:
    """report_from_matrix of the predictions' confusion matrix."""
    return report_from_matrix(confusion_matrix(y_true, y_pred, n_classes))


def report_from_matrix(matrix: list[list[int]]) -> dict[str, object]:
    """Per-class and macro-averaged precision, recall and F1, with the support per class.

    The same numbers as scikit-learn's precision_recall_fscore_support(labels=range(n),
    zero_division=0): a ratio with nothing to divide by counts as 0, and the macro average
    is the plain mean over every class, present or not.
    """
    true_positives = [row[k] for k, row in enumerate(matrix)]
    predicted = [sum(column) for column in zip(*matrix, strict=True)]
    actual = [sum(row) for row in matrix]
    precision = list(map(_ratio, true_positives, predicted))
    recall = list(map(_ratio, true_positives, actual))
    f1 = [_ratio(2 * tp, p + a) for tp, p, a in zip(true_positives, predicted, actual, strict=True)]
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "support": actual,
        "macro": {"precision": _mean(precision), "recall": _mean(recall), "f1": _mean(f1)},
    }


def group_counts(
    y_true: torch.Tensor, y_pred: torch.Tensor, groups: torch.Tensor, n_groups: int
) -> torch.Tensor:
    """(n_groups, 2, 2) counts of (group, true class, predicted class), on their device."""
    index = groups.long() * 4 + y_true.long() * 2 + y_pred.long()
    counts = torch.zeros(4 * n_groups, dtype=torch.long, device=index.device)
    counts.scatter_add_(0, index, torch.ones_like(index))
    return counts.reshape(n_groups, 2, 2)


def group_fairness(
    y_true: torch.Tensor, y_pred: torch.Tensor, groups: torch.Tensor, n_groups: int
) -> dict[str, object]:
    """fairness_from_counts of the predictions' counts per group."""
    return fairness_from_counts(group_counts(y_true, y_pred, groups, n_groups).flatten().tolist())


def fairness_from_counts(counts: list[int]) -> dict[str, object]:
    """Binary-classification rates per group (class 1 is the positive, favourable
    outcome), and the gaps between the groups, from group_counts flattened: TN, FP, FN,
    TP of each group in turn.

    Per group: accuracy, false-positive rate FP / (FP + TN), false-negative rate
    FN / (FN + TP), selection rate (the share predicted positive), base rate (the share
    truly positive) and positive predictive value TP / (TP + FP) (the share of the
    selected who are truly positive); a rate with nothing to divide by counts as 0. The
    demographic-parity difference is the largest minus the smallest selection rate, the
    equal-opportunity difference the same for the true-positive rate (1 - FNR) and the
    equalized-odds difference the larger of that and the same gap in false-positive
    rates: the definitions of fairlearn's demographic_parity_difference,
    equal_opportunity_difference and equalized_odds_difference. The predictive-parity
    difference is the gap in positive predictive value: a decision that means the same in
    every group ("calibrated" in Chouldechova's sense) has none.
    """
    cells = [tuple(counts[start:start + 4]) for start in range(0, len(counts), 4)]
    total = [sum(cell) for cell in cells]
    selection_rate = [_ratio(fp + tp, n) for (_, fp, _, tp), n in zip(cells, total, strict=True)]
    true_positive_rate = [_ratio(tp, tp + fn) for _, _, fn, tp in cells]
    false_positive_rate = [_ratio(fp, fp + tn) for tn, fp, _, _ in cells]
    positive_predictive_value = [_ratio(tp, tp + fp) for _, fp, _, tp in cells]
    return {
        "accuracy": [_ratio(tn + tp, n) for (tn, _, _, tp), n in zip(cells, total, strict=True)],
        "fpr": false_positive_rate,
        "fnr": [_ratio(fn, fn + tp) for _, _, fn, tp in cells],
        "selection_rate": selection_rate,
        "base_rate": [_ratio(fn + tp, n) for (_, _, fn, tp), n in zip(cells, total, strict=True)],
        "ppv": positive_predictive_value,
        "demographic_parity_difference": _spread(selection_rate),
        "equal_opportunity_difference": _spread(true_positive_rate),
        "equalized_odds_difference": max(
            _spread(true_positive_rate), _spread(false_positive_rate)
        ),
        "predictive_parity_difference": _spread(positive_predictive_value),
    }


def _spread(values: list[float]) -> float:
    return max(values) - min(values)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator > 0 else 0.0
