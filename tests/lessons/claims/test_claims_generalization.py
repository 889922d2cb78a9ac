"""The numbers the lesson "Generalization in practice" quotes still hold (see support.py): its
two labs trained on their presets with seeds 0, 1 and 2, the comparisons it draws between
them asserted seed by seed, and its hand-worked bias-variance example recomputed."""

import math
import statistics

import pytest
import torch

from engine import parse_config
from engine.datasets import load_dataset
from tests.lessons.claims.support import PRESETS, assert_quoted, summary_for

SEEDS = (0, 1, 2)
ROTATE = {"data.augment_rotation_deg": 15}
SHIFT = {"data.augment_shift": 1}


def seed(s: int) -> dict:
    return {"data.seed": s}


# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance);
# 300 validation images make one image 0.0033 of accuracy.
CLAIMS = [
    ("augment-digits", seed(0), "train_accuracy", 1.0, 0.002),
    ("augment-digits", seed(1), "train_accuracy", 1.0, 0.002),
    ("augment-digits", seed(2), "train_accuracy", 1.0, 0.002),
    ("augment-digits", seed(0), "val_accuracy", 0.907, 0.002),
    ("augment-digits", seed(1), "val_accuracy", 0.903, 0.002),
    ("augment-digits", seed(2), "val_accuracy", 0.92, 0.002),
    ("augment-digits", seed(0), "val_loss", 0.33, 0.005),
    ("augment-digits", {**ROTATE, **seed(0)}, "train_accuracy", 1.0, 0.002),
    ("augment-digits", {**ROTATE, **seed(1)}, "train_accuracy", 1.0, 0.002),
    ("augment-digits", {**ROTATE, **seed(2)}, "train_accuracy", 1.0, 0.002),
    ("augment-digits", {**ROTATE, **seed(0)}, "val_accuracy", 0.92, 0.002),
    ("augment-digits", {**ROTATE, **seed(1)}, "val_accuracy", 0.923, 0.002),
    ("augment-digits", {**ROTATE, **seed(2)}, "val_accuracy", 0.927, 0.002),
    ("augment-digits", {**SHIFT, **seed(0)}, "val_accuracy", 0.887, 0.002),
    ("augment-digits", {**SHIFT, **seed(1)}, "val_accuracy", 0.817, 0.002),
    ("augment-digits", {**SHIFT, **seed(2)}, "val_accuracy", 0.867, 0.002),
    ("augment-digits", {**SHIFT, **seed(1)}, "train_accuracy", 0.91, 0.002),
    ("augment-digits", {**SHIFT, **seed(2)}, "train_accuracy", 0.96, 0.002),
    ("search-over-seeds", seed(0), "val_accuracy", 0.92, 0.002),
    ("search-over-seeds", seed(1), "val_accuracy", 0.923, 0.002),
    ("search-over-seeds", {"optim.lr": 0.001, **seed(0)}, "val_accuracy", 0.913, 0.002),
    ("search-over-seeds", {"optim.lr": 0.001, **seed(1)}, "val_accuracy", 0.933, 0.002),
]  # fmt: skip

# A number whose last digits move with the float path (0.299 to 0.303 on this machine's three):
# rechecked on each (chaotic_run).
CHAOTIC_CLAIMS = [
    ("augment-digits", {**ROTATE, **seed(0)}, "val_loss", 0.30, 0.005),
]  # fmt: skip

NOT_MEASURED = {
    "generalization-in-practice": {
        "8": "the digits' images are 8×8 pixels (scikit-learn's digits)",
        "3": "the digit 3 of the augmentation example",
        "6": "the digit 6 that half a turn makes a 9",
        "2012": "the year of Bergstra and Bengio's paper",
        "1": "the numbers of the quiz's bias question and its hand-worked answer",
        "4.0": "the quiz's hand-worked predictions",
        "5.0": "the quiz's hand-worked predictions",
        "6.0": "the quiz's hand-worked predictions",
        "200": "the quiz's made-up number of settings tried",
        "94.8%": "the quiz's made-up best validation accuracy",
        "93.1%": "the quiz's made-up single run",
        "92.6%": "the quiz's made-up single run",
        "92.5": "the quiz's made-up mean over seeds",
        "92.7": "the quiz's made-up mean over seeds",
        "0.8": "the quiz's made-up standard deviation",
        "0.7": "the quiz's made-up standard deviation",
        "0.2": "the difference of the quiz's two made-up means",
        "16": "the quiz's made-up budget of runs",
        "4": "the quiz's 4 × 4 grid of its 16 runs",
    },
}

CHECKED_BY = {
    "generalization-in-practice": {
        "91.0%": "test_augmentation_means_and_spreads_over_seeds",
        "91%": "test_augmentation_means_and_spreads_over_seeds",
        "0.9": "test_augmentation_means_and_spreads_over_seeds",
        "92.3%": "test_augmentation_means_and_spreads_over_seeds",
        "0.3": "test_augmentation_means_and_spreads_over_seeds",
        "85.7%": "test_augmentation_means_and_spreads_over_seeds",
        "3.6": "test_augmentation_means_and_spreads_over_seeds",
        "92.4%": "test_learning_rates_over_seeds",
        "1.0": "test_learning_rates_over_seeds",
        "80%": "test_learning_rates_over_seeds",
        "90%": "test_learning_rates_over_seeds",
        "3": "test_learning_rates_over_seeds",
        "93.3%": "test_learning_rates_over_seeds",
        "91.3%": "test_learning_rates_over_seeds",
        "100": "test_the_lab_trains_on_100_images_and_validates_on_300",
        "300": "test_the_lab_trains_on_100_images_and_validates_on_300",
        "9": "test_a_grid_of_nine_trials_tries_three_values_random_search_nine",
    },
}


@pytest.mark.parametrize(("lab", "changes", "field", "quoted", "tolerance"), CLAIMS)
def test_quoted_numbers(lab, changes, field, quoted, tolerance):
    assert_quoted(lab, changes, field, quoted, tolerance)


@pytest.mark.chaotic_run
@pytest.mark.parametrize(("lab", "changes", "field", "quoted", "tolerance"), CHAOTIC_CLAIMS)
def test_quoted_numbers_of_sensitive_runs(lab, changes, field, quoted, tolerance):
    assert_quoted(lab, changes, field, quoted, tolerance)


def val_accuracies(lab: str, changes: dict) -> list[float]:
    return [summary_for(lab, {**changes, **seed(s)})["val_accuracy"] for s in SEEDS]


def mean_and_std(values: list[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof 1), as the compare view and sweeps show."""
    return statistics.fmean(values), statistics.stdev(values)


def test_augmentation_means_and_spreads_over_seeds():
    plain = val_accuracies("augment-digits", {})
    rotated = val_accuracies("augment-digits", ROTATE)
    shifted = val_accuracies("augment-digits", SHIFT)
    for values, mean, std in ((plain, 0.910, 0.009), (rotated, 0.923, 0.003),
                              (shifted, 0.857, 0.036)):
        measured_mean, measured_std = mean_and_std(values)
        # Printed as a percentage with one decimal: within half of its last digit.
        assert measured_mean == pytest.approx(mean, abs=0.0006)
        assert measured_std == pytest.approx(std, abs=0.0006)
    # "Rotations help on every seed ... Shifts hurt on every seed."
    assert all(r > p for r, p in zip(rotated, plain, strict=True))
    assert all(s < p for s, p in zip(shifted, plain, strict=True))


@pytest.mark.chaotic_run
def test_rotations_lower_the_validation_loss_on_every_seed():
    for s in SEEDS:
        rotated = summary_for("augment-digits", {**ROTATE, **seed(s)})["val_loss"]
        assert rotated < summary_for("augment-digits", seed(s))["val_loss"], s


@pytest.mark.chaotic_run
def test_learning_rates_over_seeds():
    """0.01 and 0.001 are indistinguishable over seeds 0 to 2; 0.1, a step large enough to
    amplify the last bit of a float, ends elsewhere on each CPU, so the lesson says only what
    holds on every float path: its mean lies between 80% and 90%, at least 3 points below the
    other two, and its standard deviation is more than three times theirs."""
    lab = "search-over-seeds"
    at_001 = val_accuracies(lab, {})
    at_0001 = val_accuracies(lab, {"optim.lr": 0.001})
    at_01 = val_accuracies(lab, {"optim.lr": 0.1})
    assert at_001 == val_accuracies("augment-digits", ROTATE)  # the same runs as lab 1's
    for values, mean, std in ((at_001, 0.923, 0.003), (at_0001, 0.924, 0.010)):
        measured_mean, measured_std = mean_and_std(values)
        # Printed as a percentage with one decimal: within half of its last digit.
        assert measured_mean == pytest.approx(mean, abs=0.0006)
        assert measured_std == pytest.approx(std, abs=0.0006)
    # Indistinguishable: the means differ by a tenth of a point, far less than either spread.
    gap = abs(statistics.fmean(at_001) - statistics.fmean(at_0001))
    assert gap == pytest.approx(0.001, abs=0.0005)
    assert gap < 0.5 * min(statistics.stdev(at_001), statistics.stdev(at_0001))
    # Seed 0 ranks 0.001 below 0.01 (91.3% against 92%), seed 1 above (93.3% against 92.3%).
    assert at_0001[0] == pytest.approx(0.913, abs=0.002) and at_0001[0] < at_001[0]
    assert at_0001[1] == pytest.approx(0.933, abs=0.002) and at_0001[1] > at_001[1]
    # The largest rate: clearly worse on average, and scattered far more widely.
    mean_01, std_01 = mean_and_std(at_01)
    assert 0.80 <= mean_01 <= 0.90
    assert mean_01 <= min(statistics.fmean(at_001), statistics.fmean(at_0001)) - 0.03
    assert std_01 > 3 * max(statistics.stdev(at_001), statistics.stdev(at_0001))


def test_the_lab_trains_on_100_images_and_validates_on_300():
    for lab in ("augment-digits", "search-over-seeds"):
        data = load_dataset(parse_config(PRESETS[lab]).data)
        assert (len(data.y_train), len(data.y_val)) == (100, 300)
        assert tuple(data.x_train.shape[1:]) == (64,)  # 8 × 8 pixels



def test_the_digits_are_centred_and_touch_their_top_and_bottom_rows():
    """Why shifts hurt: the digits' centres of ink scatter by about a third of a pixel, hardly
    a validation digit is a whole pixel off-centre, and every digit has ink in its top and its
    bottom row, which is roughly an eighth of its ink each, so a vertical shift crops it."""
    data = load_dataset(parse_config(PRESETS["augment-digits"]).data)
    for images in (data.x_train.reshape(-1, 8, 8), data.x_val.reshape(-1, 8, 8)):
        assert float(images.min()) == 0.0  # the background, which a shift brings in
        ink = images.sum(dim=(1, 2))
        rows = torch.arange(8, dtype=images.dtype)
        centre_row = (images.sum(dim=2) * rows).sum(dim=1) / ink
        centre_col = (images.sum(dim=1) * rows).sum(dim=1) / ink
        for centre in (centre_row, centre_col):
            assert 0.25 < float(centre.std()) < 0.45  # "about a third of a pixel"
            off_centre = (centre - centre.mean()).abs() >= 1
            assert float(off_centre.float().mean()) <= 0.01  # "hardly a digit"
        for edge_row in (images[:, 0], images[:, 7]):
            assert bool((edge_row.sum(dim=1) > 0).all())  # "every digit touches"
            share = float((edge_row.sum(dim=1) / ink).mean())
            assert 0.10 < share < 0.14  # "roughly an eighth of the digit"

def test_a_grid_of_nine_trials_tries_three_values_random_search_nine():
    """The figure's sentence: a 3 × 3 grid repeats each of 3 values of a hyperparameter 3
    times; 9 random trials draw 9 distinct values."""
    k = math.isqrt(9)
    grid = [((i + 0.5) / k, (j + 0.5) / k) for i in range(k) for j in range(k)]
    assert len(grid) == 9 and len({x for x, _ in grid}) == 3


def test_bias_variance_worked_example():
    """The lesson's hand-worked numbers: bias², variance and noise add up to the mean
    squared error against the noisy labels."""
    truth, noise = 2.0, 0.5**2
    expected_errors = []
    # (predictions, bias², variance, half a unit of its last printed digit, expected error)
    for predictions, bias2, variance, variance_tolerance, total in (
        ((2.8, 1.4, 2.1), 0.01, 0.327, 5e-4, 0.587),
        ((1.5, 1.6, 1.4), 0.25, 0.0067, 5e-5, 0.507),
    ):
        mean = statistics.fmean(predictions)
        assert (mean - truth) ** 2 == pytest.approx(bias2, abs=1e-9)
        assert statistics.pvariance(predictions) == pytest.approx(variance,
                                                                  abs=variance_tolerance)
        errors = [(p - truth) ** 2 for p in predictions]
        assert statistics.fmean(errors) + noise == pytest.approx(total, abs=5e-4)
        expected_errors.append(statistics.fmean(errors) + noise)
        assert statistics.fmean(errors) == pytest.approx(bias2 + statistics.pvariance(
            predictions), abs=1e-9)
    assert [round((p - 2.0) ** 2, 9) for p in (2.8, 1.4, 2.1)] == [0.64, 0.36, 0.01]
    assert statistics.fmean([(p - 2.0) ** 2 for p in (2.8, 1.4, 2.1)]) == pytest.approx(
        0.337, abs=5e-4)
    # "Its bias is five times larger, yet it wins": the simpler model has the larger bias
    # and the smaller expected error, so the example shows the trade, not a model that is
    # better on both terms.
    flexible_bias = statistics.fmean((2.8, 1.4, 2.1)) - truth
    simple_bias = statistics.fmean((1.5, 1.6, 1.4)) - truth
    assert abs(simple_bias) == pytest.approx(5 * abs(flexible_bias), abs=1e-9)
    flexible_error, simple_error = expected_errors
    assert simple_error < flexible_error
    # The quiz: predictions 4, 5 and 6 for a truth of 4 have squared bias 1.
    assert (statistics.fmean([4.0, 5.0, 6.0]) - 4.0) ** 2 == 1
