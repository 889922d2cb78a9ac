"""The numbers the deploying-models lesson's psi-drift figure and the real-world-applications
lesson's iou-boxes figure state, recomputed here with scipy (static/js/figures/psi-drift.js,
iou-boxes.js compute them in the browser).

psi-drift: training inputs N(0, 1) in 4 bins cut at their quartiles; production N(μ, 1); a
model predicting class 1 for x > 0 while P(y = 1 | x) = σ(4(x − c)).
"""

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.stats import norm

EDGES = norm.ppf([0.25, 0.5, 0.75])
SLOPE = 4.0


def bin_shares(shift: float) -> list[float]:
    cdf = np.concatenate([[0.0], norm.cdf(EDGES - shift), [1.0]])
    return np.diff(cdf).tolist()


def psi(a: list[float], e: list[float] | None = None) -> float:
    e = e or [0.25] * len(a)
    return sum((ai - ei) * math.log(ai / ei) for ai, ei in zip(a, e, strict=True))


def accuracy(shift: float, boundary: float) -> float:
    def right(x: float) -> float:
        p1 = 1 / (1 + math.exp(-SLOPE * (x - boundary)))
        return norm.pdf(x, shift) * (p1 if x > 0 else 1 - p1)

    return (quad(right, shift - 12, 0, limit=200)[0] + quad(right, 0, shift + 12, limit=200)[0])


def verdict(value: float) -> str:
    return "small" if value < 0.1 else "moderate" if value <= 0.25 else "large"


CHECKED_BY = {
    "deploying-models": {
        "0.871": "test_data_drift_moves_the_psi_and_not_the_accuracy_down",
        "0.211": "test_data_drift_moves_the_psi_and_not_the_accuracy_down",
        "0.804": "test_data_drift_moves_the_psi_and_not_the_accuracy_down",
        "0.885": "test_data_drift_moves_the_psi_and_not_the_accuracy_down",
        "0.917": "test_data_drift_moves_the_psi_and_not_the_accuracy_down",
        "0.8": "test_concept_drift_moves_the_accuracy_and_not_the_psi",
        "0.677": "test_concept_drift_moves_the_accuracy_and_not_the_psi",
    },
    "real-world-applications": {
        "3.3": "test_how_far_a_box_may_be_off",
        "1.3": "test_how_far_a_box_may_be_off",
        "0.509": "test_how_far_a_box_may_be_off",
        "3.4": "test_how_far_a_box_may_be_off",
        "0.481": "test_how_far_a_box_may_be_off",
        "65%": "test_how_far_a_box_may_be_off",
        "2.7": "test_how_far_a_box_may_be_off",
        "0.516": "test_how_far_a_box_may_be_off",
        "2.8": "test_how_far_a_box_may_be_off",
        "0.471": "test_how_far_a_box_may_be_off",
        "5.7": "test_how_far_a_box_may_be_off",
        "0.492": "test_how_far_a_box_may_be_off",
    },
}
NOT_MEASURED = {
    "deploying-models": {
        "0": "a PSI of 0 for identical shares; the model's cut at x > 0",
    },
    "real-world-applications": {
        "1": "IoU of identical boxes (checked too); a box's left and bottom at 1",
        "2": "the true box's left and bottom edge, (2, 2)–(6, 6) of the worked example",
    },
}


def test_data_drift_moves_the_psi_and_not_the_accuracy_down():
    """μ = 0.5: shares (0.12, 0.188, 0.261, 0.431), PSI 0.211 (moderate), accuracy 0.885;
    μ = 1: PSI 0.804 (large), accuracy 0.917; in training 0.871. The accuracy rises."""
    assert psi(bin_shares(0)) == pytest.approx(0, abs=1e-12)
    assert accuracy(0, 0) == pytest.approx(0.871, abs=5e-4)
    half = bin_shares(0.5)
    assert half == pytest.approx([0.12, 0.188, 0.261, 0.431], abs=5e-4)
    assert psi(half) == pytest.approx(0.211, abs=5e-4) and verdict(psi(half)) == "moderate"
    assert accuracy(0.5, 0) == pytest.approx(0.885, abs=5e-4)
    assert psi(bin_shares(1)) == pytest.approx(0.804, abs=5e-4)
    assert verdict(psi(bin_shares(1))) == "large"
    assert accuracy(1, 0) == pytest.approx(0.917, abs=5e-4)
    assert accuracy(0, 0) < accuracy(0.5, 0) < accuracy(1, 0)
    # "close to the example above", whose PSI the lesson gives as about 0.23
    assert psi([0.1, 0.2, 0.3, 0.4]) == pytest.approx(0.23, abs=5e-3)


def test_concept_drift_moves_the_accuracy_and_not_the_psi():
    """c = 0.5: the inputs' PSI stays 0, the accuracy falls to 0.8; c = 1: 0.677."""
    assert accuracy(0, 0.5) == pytest.approx(0.8, abs=5e-4)
    assert accuracy(0, 1) == pytest.approx(0.677, abs=5e-4)
    assert accuracy(0, 1) < accuracy(0, 0.5) < accuracy(0, 0)


def iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    def area(x0: float, y0: float, x1: float, y1: float) -> float:
        return max(0.0, x1 - x0) * max(0.0, y1 - y0)

    overlap = area(max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    return overlap / (area(*a) + area(*b) - overlap)


TRUE_BOX = (2, 2, 6, 6)


def square(x: float, y: float, side: float = 4) -> tuple[float, ...]:
    return (x, y, x + side, y + side)


def test_how_far_a_box_may_be_off():
    """Left at 3.3 (1.3 off): 0.509, a hit; at 3.4: 0.481, a miss, covering 65% of the object.
    Both ways: 2.7 gives 0.516, 2.8 gives 0.471. Left and bottom at 1, side 5.7: 0.492."""
    assert iou(square(0, 0), TRUE_BOX) == pytest.approx(0.143, abs=5e-4)
    assert iou(square(2, 2), TRUE_BOX) == 1
    assert round(3.3 - 2, 1) == 1.3
    assert iou(square(3.3, 2), TRUE_BOX) == pytest.approx(0.509, abs=5e-4)
    assert iou(square(3.4, 2), TRUE_BOX) == pytest.approx(0.481, abs=5e-4)
    assert iou(square(3.4, 2), TRUE_BOX) < 0.5 <= iou(square(3.3, 2), TRUE_BOX)
    covered = (6 - 3.4) * 4 / 16
    assert covered == pytest.approx(0.65)
    assert iou(square(2.7, 2.7), TRUE_BOX) == pytest.approx(0.516, abs=5e-4)
    assert iou(square(2.8, 2.8), TRUE_BOX) == pytest.approx(0.471, abs=5e-4)
    assert iou(square(2.8, 2.8), TRUE_BOX) < 0.5 <= iou(square(2.7, 2.7), TRUE_BOX)
    assert iou(square(1, 1, 5.7), TRUE_BOX) == pytest.approx(0.492, abs=5e-4)
    assert iou(square(1, 1, 5.7), TRUE_BOX) < 0.5
    assert square(1, 1, 5.7)[2] >= TRUE_BOX[2]  # it holds the whole object


def test_the_iou_quiz():
    """The quiz's boxes, rectangles the figure's square cannot be set to: overlap 6, union
    18 + 12 - 6 = 24, IoU 0.250; dividing by 18 + 12 gives the distractor 0.200."""
    predicted, true = (0, 0, 6, 3), (2, 1, 5, 5)
    assert iou(predicted, true) == pytest.approx(0.25, abs=5e-4)
    assert pytest.approx(0.2) == 6 / (18 + 12)
