"""The numbers the transfer-learning lessons quote still hold (see support.py)."""

import pytest
from sklearn.datasets import load_digits

from engine import parse_config
from engine.catalog import DIGIT_DATASETS
from engine.datasets import load_dataset
from tests.lessons.claims.support import (
    PRESETS,
    _bases,
    assert_quoted,
    last_event,
    standard_base,
    summary_for,
)

# Fine-tuning from 10 images amplifies the last bit of a float: the same seed ends a run an
# image or two (0.4 points each) apart on another CPU's float path, so seed 0's transfer runs
# are quoted "about" to the whole point (here 76.6% / 77.0% / 77.0% for the frozen base on the
# native / generic-kernel / MKL-compatible paths, 81.0% / 80.7% / 81.0% for the first block
# frozen), and the lesson's comparisons are means over seeds, rounded to whole points.
ABOUT = 0.01  # "about 77%" of one run: within a point (two to three validation images)
CHAOTIC = pytest.mark.chaotic_run

# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance)
CLAIMS = [
    ("transfer-frozen", {}, "train_accuracy", 1.0, 0),
    ("transfer-scratch", {}, "train_accuracy", 1.0, 0),
]  # fmt: skip
CHAOTIC_CLAIMS = [  # the same shape, rerun on the other float paths (chaotic_run)
    ("transfer-frozen", {}, "val_accuracy", 0.77, ABOUT),
    ("transfer-freeze-first", {}, "val_accuracy", 0.81, ABOUT),
    ("transfer-fine-tune", {}, "val_accuracy", 0.81, ABOUT),
    ("transfer-scratch", {}, "val_accuracy", 0.803, 0.0005),
]  # fmt: skip


@pytest.mark.parametrize(("lab_slug", "changes", "field", "quoted", "tolerance"),
                         CLAIMS + [pytest.param(*claim, marks=CHAOTIC)
                                   for claim in CHAOTIC_CLAIMS])
def test_quoted_result_still_holds(lab_slug, changes, field, quoted, tolerance):
    assert_quoted(lab_slug, changes, field, quoted, tolerance)


TRANSFER_LABS = ("transfer-frozen", "transfer-freeze-first", "transfer-fine-tune",
                 "transfer-scratch")
TRANSFER_SEEDS = range(8)


def transfer_accuracies(changes: dict | None = None) -> dict[str, list[float]]:
    """Validation accuracy of each transfer lab over seeds 0 to 7, with `changes`."""
    return {slug: [summary_for(slug, {**(changes or {}), "data.seed": seed})["val_accuracy"]
                   for seed in TRANSFER_SEEDS]
            for slug in TRANSFER_LABS}


def mean(values) -> float:
    return sum(values) / len(values)


# A mean over the eight seeds quoted to the whole point ("about 84%"): within half a point of
# rounding plus 0.2 of margin; the three float paths here move these means by up to 0.14.
WHOLE_POINT = 0.007


def assert_whole_points(acc: dict[str, list[float]], quoted: dict[str, float], label) -> None:
    for slug, value in quoted.items():
        assert mean(acc[slug]) == pytest.approx(value, abs=WHOLE_POINT), (label, slug)


def ahead(runs: list[float], baseline: list[float]) -> int:
    """On how many seeds `runs` beats `baseline` (ties do not count)."""
    return sum(a > b for a, b in zip(runs, baseline, strict=True))


def test_transfer_lesson_base_never_saw_the_new_digits():
    """The base is trained on the digits 0 to 4 only and gets 99.4% of them right."""
    base = standard_base("digits-0-4-cnn")
    assert base.config.data.name == "digits_0_4"  # never the ten digits: no leak of 5 to 9
    assert not set(DIGIT_DATASETS["digits_0_4"]) & set(DIGIT_DATASETS["digits_5_9"])
    data = load_dataset(base.config.data)
    assert len(data.y_train) == 721  # "trained on 721 images of five digits"
    assert list(data.classes) == [str(digit) for digit in range(5)]
    # Image by image: every picture the base trained on is one of scikit-learn's 0 to 4,
    # none is one of its 5 to 9.
    digits = load_digits()
    seen = {tuple(row) for row in (data.x_train.numpy() * 16).round().astype(int).tolist()}
    images = [tuple(row) for row in digits.data.astype(int).tolist()]
    assert seen <= {im for im, t in zip(images, digits.target, strict=True) if t < 5}
    assert not seen & {im for im, t in zip(images, digits.target, strict=True) if t >= 5}
    assert _bases["digits-0-4-cnn"][1]["val_accuracy"] == pytest.approx(0.994, abs=0.0005)
    # Every lab has the base's model, so the lesson's 5541 parameters are the base's too.
    assert _bases["digits-0-4-cnn"][1]["n_params"] == 5541


# (lab, layers frozen, trainable parameters, frozen parameters) as the lesson's table says
TRANSFER_PARAMETERS = [
    ("transfer-frozen", 2, 645, 4896),
    ("transfer-freeze-first", 1, 5349, 192),
    ("transfer-fine-tune", 0, 5541, 0),
]


@pytest.mark.parametrize(("lab_slug", "layers_frozen", "trainable", "frozen"),
                         TRANSFER_PARAMETERS)
def test_transfer_lesson_trainable_and_frozen_parameters(lab_slug, layers_frozen, trainable,
                                                         frozen):
    info = last_event(lab_slug, "info")
    assert info["n_params"] == trainable
    assert info["n_val"] == 269 and info["n_train"] == 10
    assert info["transfer"] == {"base": "digits-0-4-cnn", "base_dataset": "digits_0_4",
                                "layers_copied": 2, "layers_frozen": layers_frozen,
                                "frozen_params": frozen}
    assert trainable + frozen == 5541


def test_transfer_lesson_scratch_has_the_same_network():
    info = last_event("transfer-scratch", "info")
    assert info["n_params"] == 5541 and "transfer" not in info
    # "freeze: 2 (the same as all for this two-block network)"
    same = summary_for("transfer-frozen", {"transfer.freeze": 2})
    assert same["val_accuracy"] == summary_for("transfer-frozen", {})["val_accuracy"]


@CHAOTIC
def test_transfer_lesson_seed_zero_runs_are_close():
    """Seed 0: the first block frozen and fine-tuning both about 81%, close to each other and
    to scratch's 80.3% ("one of the closest seeds"); the frozen base (about 77%) below it."""
    first, fine, scratch, frozen = (summary_for(slug, {})["val_accuracy"] for slug in (
        "transfer-freeze-first", "transfer-fine-tune", "transfer-scratch", "transfer-frozen"))
    assert abs(first - fine) <= ABOUT and abs(first - scratch) <= ABOUT
    assert frozen < scratch


@CHAOTIC
def test_transfer_lesson_ten_images_over_eight_seeds():
    """10 images, means over seeds 0 to 7 to the whole point: first block frozen 84%, fine-tuned
    83%, both frozen 82%, from scratch 81%; freezing the first block beats scratch on at least
    6 of 8 seeds (by about 3 points), so does fine-tuning (by about 2); both blocks frozen is
    ahead on only about half. Single runs from scratch range from about 75% to 85%."""
    acc = transfer_accuracies()
    frozen, first, fine, scratch = (acc[slug] for slug in TRANSFER_LABS)
    assert ahead(first, scratch) >= 6 and ahead(fine, scratch) >= 6
    assert 3 <= ahead(frozen, scratch) <= 5
    assert mean(first) - mean(scratch) == pytest.approx(0.03, abs=0.005)
    assert mean(fine) - mean(scratch) == pytest.approx(0.02, abs=0.005)
    assert mean(first) > mean(fine) > mean(frozen)  # "the best of the four labs"
    assert_whole_points(acc, {"transfer-frozen": 0.82, "transfer-freeze-first": 0.84,
                              "transfer-fine-tune": 0.83, "transfer-scratch": 0.81}, 10)
    assert min(scratch) == pytest.approx(0.75, abs=ABOUT)
    assert max(scratch) == pytest.approx(0.85, abs=ABOUT)
    assert max(scratch) - min(scratch) > 2 * (mean(first) - mean(scratch))


@CHAOTIC
def test_transfer_lesson_the_gain_shrinks_with_more_data():
    """Means to the whole point: 25 images 91 / 92 / 93 / 92%; 100 images 95 / 97 / 97 / 97%.
    The freeze-first gain goes from about 3 points to under 1, then scratch is slightly ahead;
    fine-tuning is the best of the four at 25 images; the frozen base falls behind."""
    small = transfer_accuracies()
    gain_10 = mean(small["transfer-freeze-first"]) - mean(small["transfer-scratch"])
    quoted = {
        25: {"transfer-frozen": 0.91, "transfer-freeze-first": 0.92,
             "transfer-fine-tune": 0.93, "transfer-scratch": 0.92},
        100: {"transfer-frozen": 0.95, "transfer-freeze-first": 0.97,
              "transfer-fine-tune": 0.97, "transfer-scratch": 0.97},
    }
    gains = {}
    for size, values in quoted.items():
        acc = transfer_accuracies({"data.train_size": size})
        assert_whole_points(acc, values, size)
        scratch = mean(acc["transfer-scratch"])
        gains[size] = mean(acc["transfer-freeze-first"]) - scratch
        behind = scratch - mean(acc["transfer-frozen"])  # the frozen base falls behind
        assert behind > (0.01 if size == 100 else 0), size
        if size == 25:  # "fine-tuning does best of the four, by a little"
            assert mean(acc["transfer-fine-tune"]) == max(mean(a) for a in acc.values())
    assert gain_10 > 0.025 and 0 < gains[25] < 0.01  # "about 3 points ... under 1"
    assert -0.01 < gains[100] < 0  # scratch slightly ahead: "by about half a point"


@CHAOTIC
def test_transfer_lesson_head_start_after_ten_epochs():
    """After 10 epochs: first block frozen about 82% against 72% from scratch (means), ahead on
    every seed, a larger gap than after 30 epochs."""
    changes = {"optim.epochs": 10}
    first, scratch = (
        [summary_for(slug, {**changes, "data.seed": seed})["val_accuracy"]
         for seed in TRANSFER_SEEDS]
        for slug in ("transfer-freeze-first", "transfer-scratch")
    )
    at_thirty = transfer_accuracies()
    gain_at_thirty = (mean(at_thirty["transfer-freeze-first"])
                      - mean(at_thirty["transfer-scratch"]))
    assert mean(first) - mean(scratch) > gain_at_thirty  # "the head start is larger"
    assert ahead(first, scratch) == len(TRANSFER_SEEDS)  # "ahead on every seed"
    assert mean(first) == pytest.approx(0.82, abs=WHOLE_POINT)
    assert mean(scratch) == pytest.approx(0.72, abs=WHOLE_POINT)


@CHAOTIC
def test_transfer_lesson_smaller_fine_tuning_rate_does_not_help():
    """Fine-tuning at 0.001 averages about 82%, at 0.0003 about 71%: each below the one before,
    and below the 83% at 0.003."""
    previous = mean(transfer_accuracies()["transfer-fine-tune"])
    for lr, quoted in ((0.001, 0.82), (0.0003, 0.71)):
        accs = [summary_for("transfer-fine-tune", {"optim.lr": lr, "data.seed": seed})
                ["val_accuracy"] for seed in TRANSFER_SEEDS]
        assert mean(accs) < previous, lr
        assert mean(accs) == pytest.approx(quoted, abs=WHOLE_POINT), lr
        previous = mean(accs)


def test_transfer_lesson_two_images_per_digit():
    """"10 training images, two per digit" of the 896 images of 5 to 9, 269 validating; 30
    epochs in batches of 5 are 60 steps."""
    data = load_dataset(parse_config(PRESETS["transfer-frozen"]).data)
    assert list(data.classes) == ["5", "6", "7", "8", "9"]
    assert data.y_train.bincount().tolist() == [2, 2, 2, 2, 2]
    assert len(data.y_val) == 269
    assert PRESETS["transfer-frozen"]["data"]["n_samples"] == 896
    assert summary_for("transfer-fine-tune", {})["steps"] == 60


NOT_MEASURED = {
    "transfer-learning": {
        "1.28": "ImageNet's training set, in millions of photos (a published fact)",
        "1000": "ImageNet's classes",
        "18": "the name ResNet-18",
        "512": "ResNet-18's last feature width (a published architecture)",
        "75%": "(8 393 728 + 1539) / 11 178 051, computed in the text",
        "0.4": "one validation image in points: 100 / 269, computed",
        "216": "the scratch run's 80.3% of the 269 validation images, computed",
        "4": "a digit's name (0 to 4)",
        "7": "a digit's name (a 7 or a 9), and the last of seeds 0 to 7 (TRANSFER_SEEDS)",
        "9": "a digit's name (5 to 9)",
    },
}
CHECKED_BY = {
    "transfer-learning": {
        "269": "test_transfer_lesson_trainable_and_frozen_parameters",
        "4896": "test_transfer_lesson_trainable_and_frozen_parameters",
        "192": "test_transfer_lesson_trainable_and_frozen_parameters",
        "5349": "test_transfer_lesson_trainable_and_frozen_parameters",
        "645": "test_transfer_lesson_trainable_and_frozen_parameters",
        "5541": "test_transfer_lesson_trainable_and_frozen_parameters",
        "721": "test_transfer_lesson_base_never_saw_the_new_digits",
        "99.4%": "test_transfer_lesson_base_never_saw_the_new_digits",
        "6": "test_transfer_lesson_ten_images_over_eight_seeds",
        "8": "test_transfer_lesson_ten_images_over_eight_seeds",
        "81%": "test_transfer_lesson_ten_images_over_eight_seeds",
        "82%": "test_transfer_lesson_ten_images_over_eight_seeds",
        "83%": "test_transfer_lesson_ten_images_over_eight_seeds",
        "84%": "test_transfer_lesson_ten_images_over_eight_seeds",
        "85%": "test_transfer_lesson_ten_images_over_eight_seeds",
        "75%": "test_transfer_lesson_ten_images_over_eight_seeds",
        "91%": "test_transfer_lesson_the_gain_shrinks_with_more_data",
        "92%": "test_transfer_lesson_the_gain_shrinks_with_more_data",
        "93%": "test_transfer_lesson_the_gain_shrinks_with_more_data",
        "95%": "test_transfer_lesson_the_gain_shrinks_with_more_data",
        "97%": "test_transfer_lesson_the_gain_shrinks_with_more_data",
        "72%": "test_transfer_lesson_head_start_after_ten_epochs",
        "71%": "test_transfer_lesson_smaller_fine_tuning_rate_does_not_help",
        "0.001": "test_transfer_lesson_smaller_fine_tuning_rate_does_not_help",
        "0.0003": "test_transfer_lesson_smaller_fine_tuning_rate_does_not_help",
        "60": "test_transfer_lesson_two_images_per_digit",
        "896": "test_transfer_lesson_two_images_per_digit",
    },
}
