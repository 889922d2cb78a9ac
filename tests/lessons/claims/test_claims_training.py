"""The numbers the training-neural-networks lessons quote still hold (see support.py)."""

import pytest

from engine import parse_config
from engine.datasets import load_dataset
from engine.training import batch_bounds
from tests.lessons.claims.support import assert_quoted, epoch_metrics, last_event, summary_for

# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance)
CLAIMS = [
    ("learning-rate", {"optim.lr": 0.01}, "val_accuracy", 0.58, 0.002),
    ("learning-rate", {}, "val_accuracy", 0.82, 0.002),
    ("learning-rate", {}, "steps", 50, 0),
    ("learning-rate", {}, "n_params", 354, 0),
    ("learning-rate", {"optim.lr": 1}, "val_accuracy", 0.91, 0.002),
    ("learning-rate", {"optim.lr": 3}, "val_accuracy", 0.73, 0.002),
    ("learning-rate", {"optim.lr": 3}, "best_val_accuracy", 0.92, 0.002),
    ("learning-rate", {"optim.lr": 10}, "val_accuracy", 0.5, 0.002),
    ("learning-rate", {"optim.lr": 10}, "train_loss", 2.47, 0.003),
    ("vanishing-gradients", {}, "val_accuracy", 0.5, 0.002),
    ("vanishing-gradients", {"model.activation": "relu"}, "val_accuracy", 0.85, 0.002),
    ("vanishing-gradients", {"model.activation": "tanh"}, "val_accuracy", 0.87, 0.002),
    ("vanishing-gradients", {"model.hidden": [16, 16]}, "val_accuracy", 0.82, 0.002),
    ("batch-size-and-lr", {"optim.batch_size": 1}, "val_accuracy", 0.96, 0.002),
    ("batch-size-and-lr", {"optim.batch_size": 1}, "steps", 8000, 0),
    ("batch-size-and-lr", {"optim.batch_size": 1, "optim.epochs": 3}, "steps", 1200, 0),
    ("batch-size-and-lr", {}, "val_accuracy", 0.87, 0.002),
    ("batch-size-and-lr", {}, "steps", 260, 0),
    ("batch-size-and-lr", {"optim.batch_size": "full"}, "val_accuracy", 0.79, 0.002),
    ("batch-size-and-lr", {"optim.batch_size": "full"}, "steps", 20, 0),
    ("batch-size-and-lr", {"optim.batch_size": "full"}, "train_loss", 0.525, 0.0003),
    ("batch-size-and-lr", {"optim.batch_size": "full", "optim.lr": 1}, "val_accuracy", 0.86,
     0.002),
    ("batch-size-and-lr", {"optim.batch_size": 1, "optim.lr": 1}, "val_accuracy", 0.5, 0.002),
]  # fmt: skip

NOT_MEASURED = {
    "gradient-descent": {"2": "the number of a worked step (Step 2.)"},
    "sgd-minibatch-batch": {"512": "the usual range of mini-batch sizes, a convention"},
}

CHECKED_BY = {
    "gradient-descent": {
        "20": "test_gradient_descent_lesson_valley_figure",
        "36": "test_gradient_descent_lesson_valley_figure",
        "905": "test_gradient_descent_lesson_valley_figure",
        "0.25": "test_gradient_descent_lesson_valley_figure",
        "0.19": "test_gradient_descent_lesson_valley_figure",
        "400": "test_gradient_descent_lesson_lab_orderings",
    },
    "backpropagation": {
        "0.000034": "test_backpropagation_lesson_gradient_sizes",
        "0.21": "test_backpropagation_lesson_gradient_sizes",
        "0.16": "test_backpropagation_lesson_gradient_sizes",
        "0.18": "test_backpropagation_lesson_gradient_sizes",
        "0.12": "test_backpropagation_lesson_gradient_sizes",
        "0.075": "test_backpropagation_lesson_gradient_sizes",
        "6200": "test_backpropagation_lesson_gradient_sizes",
    },
    "sgd-minibatch-batch": {
        "400": "test_sgd_lesson_steps_per_epoch",
        "13": "test_sgd_lesson_steps_per_epoch",
        "1797": "test_sgd_lesson_digits_split",
        "1438": "test_sgd_lesson_digits_split",
        "64": "test_sgd_lesson_digits_split",
        "48": "test_sgd_quiz_steps_per_epoch",
        "128": "test_sgd_quiz_steps_per_epoch",
    },
}


@pytest.mark.parametrize(("lab_slug", "changes", "field", "quoted", "tolerance"), CLAIMS)
def test_quoted_result_still_holds(lab_slug, changes, field, quoted, tolerance):
    assert_quoted(lab_slug, changes, field, quoted, tolerance)


def descend(lr: float, steps: int, start=(-4.0, 2.0)) -> tuple[float, float]:
    """Gradient descent on the figure's L = w1² + 5·w2² (static/js/figures/gradient-descent.js)."""
    w1, w2 = start
    for _ in range(steps):
        w1, w2 = w1 - lr * 2 * w1, w2 - lr * 10 * w2
    return w1, w2


def valley_loss(w: tuple[float, float]) -> float:
    return w[0] ** 2 + 5 * w[1] ** 2


def test_gradient_descent_lesson_valley_figure():
    """From (-4, 2), L = 36; after 20 steps: 0.236 at 0.05, 0.002 at 0.1, about 905 at 0.21.
    The limit is the curvature: from (-4, 0.01) too, 0.21 blows w2 up; from the quiz's
    (5, 0.02), 0.25 grows w2 at every step while 0.19 shrinks it with a flip of sign at every
    step."""
    assert valley_loss((-4, 2)) == 36
    assert valley_loss(descend(0.05, 20)) == pytest.approx(0.236, abs=0.0005)
    assert valley_loss(descend(0.1, 20)) == pytest.approx(0.002, abs=0.0005)
    assert valley_loss(descend(0.21, 20)) == pytest.approx(905, abs=0.5)
    assert abs(descend(0.21, 20, (-4.0, 0.01))[1]) > 0.01 * 6  # 1.1 ** 20 ≈ 6.7
    quiz_start = (5.0, 0.02)
    growing = [descend(0.25, n, quiz_start)[1] for n in range(6)]
    assert all(abs(b) > abs(a) for a, b in zip(growing, growing[1:], strict=False))
    path = [descend(0.19, n, quiz_start)[1] for n in range(6)]
    assert all(a * b < 0 and abs(b) < abs(a) for a, b in zip(path, path[1:], strict=False))


def test_gradient_descent_lesson_lab_orderings():
    """400 training points in one batch; 0.01 barely moves the loss, 1 is the best of the
    rates, 3 jumps around (it touched 92% on the way), 10 ends at chance."""
    info = last_event("learning-rate", "info")
    assert (info["n_train"], info["steps_per_epoch"]) == (400, 1)
    final = {lr: summary_for("learning-rate", {"optim.lr": lr})["val_accuracy"]
             for lr in (0.01, 0.1, 1, 3, 10)}
    assert max(final, key=final.get) == 1
    slow = [m["train_loss"] for m in epoch_metrics("learning-rate", {"optim.lr": 0.01})]
    assert slow[0] - slow[-1] < 0.05  # "barely moves"
    jumpy = [m["val_accuracy"] for m in epoch_metrics("learning-rate", {"optim.lr": 3})]
    assert sum(abs(b - a) >= 0.05 for a, b in zip(jumpy, jumpy[1:], strict=False)) >= 3
    exploding = [m["train_loss"] for m in epoch_metrics("learning-rate", {"optim.lr": 10})]
    assert max(exploding[:5]) > 3 * exploding[0] and min(exploding[-10:]) > 2


def test_backpropagation_lesson_gradient_sizes():
    """Sigmoid: first layer 0.000034 against 0.21 for the last, about 6200 times smaller, and
    50% for all 20 epochs; ReLU 0.16 / 0.18 and tanh 0.12 / 0.075 keep their size."""
    sigmoid = last_event("vanishing-gradients", "gradient_norms")["norms"]
    assert sigmoid[0] == pytest.approx(0.000034, abs=0.000001)
    assert sigmoid[-1] == pytest.approx(0.21, abs=0.003)
    assert sigmoid[-1] / sigmoid[0] == pytest.approx(6200, abs=60)
    assert all(b > a for a, b in zip(sigmoid, sigmoid[1:], strict=False))  # shrinks downwards
    epochs = epoch_metrics("vanishing-gradients")
    assert len(epochs) == 20 and all(m["val_accuracy"] == 0.5 for m in epochs)
    relu = last_event("vanishing-gradients", "gradient_norms", {"model.activation": "relu"})
    assert relu["norms"][0] == pytest.approx(0.16, abs=0.003)
    assert relu["norms"][-1] == pytest.approx(0.18, abs=0.003)
    tanh = last_event("vanishing-gradients", "gradient_norms", {"model.activation": "tanh"})
    assert tanh["norms"][0] == pytest.approx(0.12, abs=0.003)
    assert tanh["norms"][-1] == pytest.approx(0.075, abs=0.0005)
    for norms in (relu["norms"], tanh["norms"]):
        assert max(norms) / min(norms) < 10  # "keep their size all the way down"


def test_sgd_lesson_steps_per_epoch():
    """400 training points: 13 steps per epoch at batch size 32, 400 at 1, 1 for the full
    batch; at equal epochs batch size 1 ends highest and the full batch lowest."""
    for changes, steps in (({}, 13), ({"optim.batch_size": 1}, 400),
                           ({"optim.batch_size": "full"}, 1)):
        info = last_event("batch-size-and-lr", "info", changes)
        assert (info["n_train"], info["steps_per_epoch"]) == (400, steps)
    accuracy = {size: summary_for("batch-size-and-lr", {"optim.batch_size": size})[
        "val_accuracy"] for size in (1, 32, "full")}
    assert accuracy[1] > accuracy[32] > accuracy["full"]
    full = "batch-size-and-lr", {"optim.batch_size": "full"}
    assert summary_for(full[0], {**full[1], "optim.lr": 1})["val_accuracy"] > accuracy["full"]
    single = summary_for("batch-size-and-lr", {"optim.batch_size": 1, "optim.lr": 1})
    assert single["val_accuracy"] < accuracy[1]


def test_sgd_lesson_digits_split():
    """The 1797 digits with 20% held out leave 1438 to train: 23 steps of batch size 64."""
    config = parse_config({
        "model": {"kind": "mlp", "hidden": [16]},
        "data": {"name": "digits", "n_samples": 1797, "val_fraction": 0.2, "seed": 0},
        "optim": {"name": "sgd", "lr": 0.1, "batch_size": 64, "epochs": 1},
    })
    data = load_dataset(config.data)
    assert len(data.y_train) + len(data.y_val) == 1797
    assert len(data.y_train) == 1438
    assert len(batch_bounds(1438, 64, merge_single=False)) == 23


def test_sgd_quiz_steps_per_epoch():
    """The quiz's batch sizes: 400 points in batches of 48 take 9 steps, the last one of 16;
    1438 images in batches of 128 take 12."""
    bounds = batch_bounds(400, 48, merge_single=False)
    assert len(bounds) == 9 and bounds[-1][1] - bounds[-1][0] == 16
    assert len(batch_bounds(1438, 128, merge_single=False)) == 12
