import pytest
import torch
from sklearn import metrics as sk_metrics

from engine.metrics import accuracy, classification_report, confusion_matrix


def random_labels(seed: int, n_classes: int, size: int, present: list[int]) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    choices = torch.tensor(present)
    return choices[torch.randint(len(present), (size,), generator=generator)]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    ("n_classes", "true_classes", "predicted_classes"),
    [
        (2, [0, 1], [0, 1]),
        (4, [0, 1, 2, 3], [0, 1, 2, 3]),
        (5, [0, 1, 2, 3, 4], [1, 3]),  # some classes never predicted
        (5, [0, 2], [0, 1, 2, 3, 4]),  # some classes never occur
        (10, [7], [7]),
    ],
)
def test_metrics_match_scikit_learn(seed, n_classes, true_classes, predicted_classes):
    y_true = random_labels(seed, n_classes, 97, true_classes)
    y_pred = random_labels(seed + 1000, n_classes, 97, predicted_classes)

    matrix = confusion_matrix(y_true, y_pred, n_classes)

    expected = sk_metrics.confusion_matrix(y_true.numpy(), y_pred.numpy(), labels=range(n_classes))
    assert matrix == expected.tolist()
    assert all(type(count) is int for row in matrix for count in row)
    assert accuracy(y_true, y_pred) == pytest.approx(
        sk_metrics.accuracy_score(y_true.numpy(), y_pred.numpy()), abs=1e-12
    )

    report = classification_report(y_true, y_pred, n_classes)
    labels = list(range(n_classes))
    per_class = sk_metrics.precision_recall_fscore_support(
        y_true.numpy(), y_pred.numpy(), labels=labels, zero_division=0
    )
    macro = sk_metrics.precision_recall_fscore_support(
        y_true.numpy(), y_pred.numpy(), labels=labels, average="macro", zero_division=0
    )
    for name, expected in zip(("precision", "recall", "f1"), per_class, strict=False):
        assert report[name] == pytest.approx(expected.tolist(), abs=1e-12), name
    assert report["support"] == per_class[3].tolist()
    for name, expected in zip(("precision", "recall", "f1"), macro, strict=False):
        assert report["macro"][name] == pytest.approx(expected, abs=1e-12), name


def test_accuracy_is_an_exact_fraction():
    y_true = torch.tensor([0, 1, 1, 0, 1, 1, 0])
    y_pred = torch.tensor([0, 1, 0, 0, 1, 1, 1])
    assert accuracy(y_true, y_pred) == 5 / 7


def test_accuracy_of_nothing_is_an_error():
    empty = torch.tensor([], dtype=torch.int64)
    with pytest.raises(ValueError, match="empty"):
        accuracy(empty, empty)
