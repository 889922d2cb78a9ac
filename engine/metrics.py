"""Classification metrics computed with torch, on whatever device the tensors live."""

import torch


def confusion_matrix(
    y_true: torch.Tensor, y_pred: torch.Tensor, n_classes: int
) -> list[list[int]]:
    """Counts of (true class, predicted class): rows are true classes, like scikit-learn."""
    return _confusion_counts(y_true, y_pred, n_classes).tolist()


def accuracy(y_true: torch.Tensor, y_pred: torch.Tensor) -> float:
    if y_true.numel() == 0:
        raise ValueError("accuracy of an empty set is undefined")
    # An exact fraction of two ints, not a float32 mean, so 0.9825 is reported as 0.9825.
    return (y_true == y_pred).sum().item() / y_true.numel()


def classification_report(
    y_true: torch.Tensor, y_pred: torch.Tensor, n_classes: int
) -> dict[str, object]:
    """Per-class and macro-averaged precision, recall and F1, with the support per class.

    The same numbers as scikit-learn's precision_recall_fscore_support(labels=range(n),
    zero_division=0): a ratio with nothing to divide by counts as 0, and the macro average
    is the plain mean over every class, present or not.
    """
    counts = _confusion_counts(y_true, y_pred, n_classes).double()
    true_positives = counts.diagonal()
    predicted = counts.sum(dim=0)
    actual = counts.sum(dim=1)
    precision = _ratio(true_positives, predicted)
    recall = _ratio(true_positives, actual)
    f1 = _ratio(2 * true_positives, predicted + actual)
    return {
        "precision": precision.tolist(),
        "recall": recall.tolist(),
        "f1": f1.tolist(),
        "support": actual.long().tolist(),
        "macro": {
            "precision": precision.mean().item(),
            "recall": recall.mean().item(),
            "f1": f1.mean().item(),
        },
    }


def group_fairness(
    y_true: torch.Tensor, y_pred: torch.Tensor, groups: torch.Tensor, n_groups: int
) -> dict[str, object]:
    """Binary-classification rates per group (class 1 is the positive, favourable
    outcome), and the gaps between the groups.

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
    index = groups.long() * 4 + y_true.long() * 2 + y_pred.long()
    counts = torch.bincount(index, minlength=4 * n_groups).reshape(n_groups, 2, 2).double()
    tn, fp, fn, tp = counts[:, 0, 0], counts[:, 0, 1], counts[:, 1, 0], counts[:, 1, 1]
    total = counts.sum(dim=(1, 2))
    selection_rate = _ratio(fp + tp, total)
    true_positive_rate = _ratio(tp, tp + fn)
    false_positive_rate = _ratio(fp, fp + tn)
    positive_predictive_value = _ratio(tp, tp + fp)
    return {
        "accuracy": _ratio(tn + tp, total).tolist(),
        "fpr": false_positive_rate.tolist(),
        "fnr": _ratio(fn, fn + tp).tolist(),
        "selection_rate": selection_rate.tolist(),
        "base_rate": _ratio(fn + tp, total).tolist(),
        "ppv": positive_predictive_value.tolist(),
        "demographic_parity_difference": _spread(selection_rate),
        "equal_opportunity_difference": _spread(true_positive_rate),
        "equalized_odds_difference": max(
            _spread(true_positive_rate), _spread(false_positive_rate)
        ),
        "predictive_parity_difference": _spread(positive_predictive_value),
    }


def _spread(values: torch.Tensor) -> float:
    return (values.max() - values.min()).item()


def _confusion_counts(y_true: torch.Tensor, y_pred: torch.Tensor, n_classes: int) -> torch.Tensor:
    pair_index = y_true.long() * n_classes + y_pred.long()
    counts = torch.bincount(pair_index, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes)


def _ratio(numerator: torch.Tensor, denominator: torch.Tensor) -> torch.Tensor:
    return torch.where(denominator > 0, numerator / denominator.clamp(min=1), 0.0)
