"""The numbers the optimizers lesson quotes still hold (see support.py).

Its figure's numbers are checked here against torch.optim itself: `torch_path` runs PyTorch's
SGD, SGD with momentum, RMSprop and Adam on the figure's two surfaces, and the browser test
(tests/browser/test_figure_optimizer_paths.py) checks the figure's JavaScript against it.
"""

import math

import pytest
import torch

from engine import parse_config
from engine.optimizers import learning_rate
from tests.lessons.claims.support import assert_quoted, summary_for

LAB = "sgd-momentum-adam"
MOMENTUM = {"optim.name": "momentum", "optim.momentum": 0.9}
ADAM = {"optim.name": "adam"}
SGD_TEN_TIMES = {"optim.lr": 0.1}

# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance)
OPTIMIZERS_CLAIMS = [
    (LAB, {}, "val_loss", 0.497, 0.002),
    (LAB, {}, "val_accuracy", 0.80, 0.002),
    (LAB, MOMENTUM, "val_loss", 0.305, 0.002),
    (LAB, MOMENTUM, "val_accuracy", 0.87, 0.002),
    (LAB, ADAM, "val_loss", 0.101, 0.002),
    (LAB, ADAM, "val_accuracy", 0.96, 0.002),
    (LAB, SGD_TEN_TIMES, "val_loss", 0.302, 0.002),
    (LAB, SGD_TEN_TIMES, "val_accuracy", 0.87, 0.002),
    (LAB, {**ADAM, "optim.schedule": "cosine"}, "val_loss", 0.111, 0.002),
    (LAB, {**ADAM, "optim.schedule": "cosine", "optim.warmup_epochs": 2}, "val_loss", 0.108,
     0.002),
]  # fmt: skip

CHECKED_BY = {
    "optimizers": {
        "18": "test_optimizers_lesson_figure_numbers",
        "50": "test_optimizers_lesson_figure_numbers",
        "0.047": "test_optimizers_lesson_figure_numbers",
        "0.025": "test_optimizers_lesson_figure_numbers",
        "0.018": "test_optimizers_lesson_figure_numbers",
        "1.532": "test_optimizers_lesson_figure_numbers",
        "80": "test_optimizers_lesson_figure_numbers",
        "0.11": "test_optimizers_lesson_figure_numbers",
        "800": "test_optimizers_lesson_figure_numbers",
        "0.08": "test_optimizers_lesson_figure_numbers",
        "0.005": "test_optimizers_lesson_figure_numbers",
        "0.05": "test_optimizers_lesson_figure_numbers",
        "10": "test_optimizers_lesson_adam_and_momentum_steps",
        "4": "test_optimizers_lesson_lab_orderings_hold_on_five_seeds",
        "0.02": "test_optimizers_lesson_lab_orderings_hold_on_five_seeds",
        "15": "test_optimizers_lesson_schedule_examples",
        "11": "test_optimizers_lesson_schedule_examples",
        "3": "test_optimizers_lesson_schedule_examples",
        "13": "test_optimizers_lesson_schedule_examples",
        "6": "test_optimizers_lesson_schedule_examples",
    },
}


@pytest.mark.parametrize(("lab_slug", "changes", "field", "quoted", "tolerance"),
                         OPTIMIZERS_CLAIMS)
def test_quoted_result_still_holds(lab_slug, changes, field, quoted, tolerance):
    assert_quoted(lab_slug, changes, field, quoted, tolerance)


def test_optimizers_lesson_lab_orderings_hold_on_five_seeds():
    """SGD > momentum > Adam in validation loss at the preset's rate, and SGD at ten times the
    rate within 0.02 of momentum, on seeds 0 to 4."""
    for seed in (0, 1, 2, 3, 4):
        loss = {name: summary_for(LAB, {**changes, "data.seed": seed})["val_loss"]
                for name, changes in [("sgd", {}), ("momentum", MOMENTUM), ("adam", ADAM),
                                      ("sgd ×10", SGD_TEN_TIMES)]}
        assert loss["sgd"] > loss["momentum"] > loss["adam"], (seed, loss)
        assert abs(loss["sgd ×10"] - loss["momentum"]) < 0.02, (seed, loss)


# -- the figure: PyTorch's optimizers on the ravine and the saddle ---------------------------

SURFACES = {
    "ravine": (lambda w: 0.5 * (w[0] ** 2 + 20 * w[1] ** 2), (-4.0, 1.0)),
    "saddle": (lambda w: 0.5 * (w[0] ** 2 - w[1] ** 2) + 0.25 * w[1] ** 4, (2.0, 0.01)),
}


def torch_optimizer(name: str, params, lr: float, beta: float) -> torch.optim.Optimizer:
    """The figure's four rules, as torch.optim builds them (defaults for what has no slider)."""
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=beta)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr)
    return torch.optim.Adam(params, lr=lr, betas=(beta, 0.999))


def torch_path(name: str, surface: str, *, lr: float, beta: float, steps: int) -> list:
    """The points torch.optim's `name` visits on `surface` in `steps` steps (float64)."""
    loss_of, start = SURFACES[surface]
    w = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = torch_optimizer(name, [w], lr, beta)
    points = [list(start)]
    for _ in range(steps):
        optimizer.zero_grad()
        loss_of(w).backward()
        optimizer.step()
        points.append(w.detach().tolist())
    return points


def final_loss(name: str, surface: str, **settings) -> float:
    loss_of, _ = SURFACES[surface]
    return loss_of(torch.tensor(torch_path(name, surface, **settings)[-1])).item()


def test_optimizers_lesson_figure_numbers():
    defaults = {"lr": 0.05, "beta": 0.9, "steps": 50}
    assert SURFACES["ravine"][0](torch.tensor([-4.0, 1.0])).item() == 18
    ravine = {name: final_loss(name, "ravine", **defaults)
              for name in ("sgd", "momentum", "rmsprop", "adam")}
    assert ravine["sgd"] == pytest.approx(0.047, abs=0.0005)
    assert ravine["momentum"] == pytest.approx(0.025, abs=0.0005)
    assert ravine["rmsprop"] == pytest.approx(0.018, abs=0.0005)
    assert ravine["adam"] == pytest.approx(1.532, abs=0.0005)
    assert 4 / 0.05 == 80  # Adam's steps are about η long: 4 units along w₁
    fast = {**defaults, "lr": 0.11}
    assert 0.11 > 2 / 20  # past SGD's limit on the ravine
    assert final_loss("sgd", "ravine", **fast) > 800 * 10**6
    assert final_loss("momentum", "ravine", **fast) == pytest.approx(0.08, abs=0.0005)
    assert pytest.approx(0.19) == 2 * (1 + 0.9) / 20

    saddle = {name: final_loss(name, "saddle", **defaults)
              for name in ("sgd", "momentum", "rmsprop", "adam")}
    assert saddle["sgd"] == pytest.approx(0.005, abs=0.0005)
    assert saddle["momentum"] == pytest.approx(-0.247, abs=0.0005)
    assert saddle["rmsprop"] == pytest.approx(-0.25, abs=0.0005)
    assert saddle["adam"] == pytest.approx(-0.243, abs=0.0005)

    no_momentum = {**defaults, "beta": 0.0}
    for surface in SURFACES:
        assert (torch_path("momentum", surface, **no_momentum)
                == torch_path("sgd", surface, **no_momentum))
    assert final_loss("adam", "saddle", **no_momentum) < -0.15  # escapes without momentum


def test_optimizers_lesson_adam_and_momentum_steps():
    """The worked examples and the quiz's steps, taken by torch.optim's own Adam, SGD and
    RMSprop with the gradients the lesson feeds them."""

    def steps(optimizer_of, gradients):
        w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        optimizer, moved = optimizer_of([w]), []
        for g in gradients:
            before = w.item()
            w.grad = torch.tensor([g], dtype=torch.float64)
            optimizer.step()
            moved.append(w.item() - before)
        return moved

    adam = steps(lambda p: torch.optim.Adam(p, lr=0.01), [2, 1])
    assert adam == pytest.approx([-0.01, -0.00932], abs=5e-6)
    assert 0.01 * 0.2 / math.sqrt(0.004) == pytest.approx(0.0316, abs=5e-5)  # uncorrected
    # The quiz: a first gradient of -40 moves the weight up by exactly the rate, 0.001.
    assert steps(lambda p: torch.optim.Adam(p, lr=0.001), [-40]) == pytest.approx([0.001],
                                                                                  abs=0.00005)
    assert pytest.approx(0.04) == 0.001 * 40  # plain SGD's step for the same gradient
    # A loss 10 times larger: Adam's steps barely change (SGD's would be 10 times longer).
    gradients = [2, 1, -0.5, 3, 1]
    assert steps(lambda p: torch.optim.Adam(p, lr=0.01), [10 * g for g in gradients]) == (
        pytest.approx(steps(lambda p: torch.optim.Adam(p, lr=0.01), gradients), rel=1e-6))
    # RMSprop's first step is ten times the rate: no bias correction.
    assert steps(lambda p: torch.optim.RMSprop(p, lr=0.01), [3]) == pytest.approx([-0.1])

    def momentum(gradients):
        return steps(lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9), gradients)

    steady = momentum([1] * 200)
    assert steady[1] == pytest.approx(-0.019)  # the buffer after two steps: 1.9
    assert steady[-1] == pytest.approx(-0.1)  # settles at η / (1 − β)
    flipping = momentum([1, -1] * 100)
    assert [s / 0.01 for s in flipping[:4]] == pytest.approx([-1, 0.1, -0.91, 0.181])
    assert abs(flipping[-1] / 0.01) == pytest.approx(1 / 1.9, abs=1e-3)  # about 0.53


def test_optimizers_lesson_schedule_examples():
    def rates(**optim):
        cfg = parse_config({"model": {"kind": "mlp"}, "data": {"name": "moons"},
                            "optim": {"name": "adam", "lr": 0.01, "epochs": 15, **optim}}).optim
        return [learning_rate(cfg, epoch) for epoch in range(1, 16)]

    cosine = rates(schedule="cosine")
    assert cosine[0] == 0.01
    assert cosine[6 - 1] == pytest.approx(0.0075, abs=0.0001)  # the quiz's epoch 6
    assert pytest.approx(0.0067, abs=0.0001) == 0.01 * (1 - 5 / 15)  # a straight line instead
    assert cosine[11 - 1] == pytest.approx(0.0025)
    assert cosine[15 - 1] == pytest.approx(0.00011, abs=0.000005)

    warmed = rates(schedule="cosine", warmup_epochs=2)
    assert warmed[:3] == pytest.approx([0.0033, 0.0067, 0.01], abs=0.00005)
    # Then the cosine over the last 13 epochs, as if they were the whole run.
    over_13 = parse_config({"model": {"kind": "mlp"}, "data": {"name": "moons"},
                            "optim": {"name": "adam", "lr": 0.01, "epochs": 13,
                                      "schedule": "cosine"}}).optim
    assert warmed[2:] == pytest.approx([learning_rate(over_13, e) for e in range(1, 14)])
