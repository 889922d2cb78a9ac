"""The frameworks lesson's autograd-loop figure (static/js/figures/autograd-loop.js): the calls
of PyTorch's training loop, replayed here in torch itself, give the numbers the lesson and the
figure state — the recorded loss, backward()'s gradients, the SGD step, gradients that add up
without zero_grad(), and the error of a second backward() through a freed graph.
"""

import pytest
import torch

# The figure's one-example model: ŷ = w·x + b, loss (ŷ − y)², SGD.
START = {"w": 0.5, "b": 0.0}
X, Y, LR = 2.0, 3.0, 0.05


def replay(calls: list[str]) -> dict:
    """The state after the figure's calls ("forward", "backward", "step", "zeroGrad") made in
    torch; stops at the first error, as Python would, and names its type."""
    w = torch.tensor(START["w"], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(START["b"], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w, b], lr=LR)
    loss = None
    error = None
    for name in calls:
        try:
            if name == "forward":
                loss = (w * X + b - Y) ** 2
            elif name == "backward":
                if loss is None:
                    raise NameError("name 'loss' is not defined")
                loss.backward()
            elif name == "step":
                optimizer.step()
            elif name == "zeroGrad":
                optimizer.zero_grad()
        except (RuntimeError, NameError) as exc:
            error = type(exc).__name__
            break
    state = {
        "w": w.item(), "b": b.item(),
        "wGrad": None if w.grad is None else w.grad.item(),
        "bGrad": None if b.grad is None else b.grad.item(),
        "loss": None if loss is None else loss.item(),
    }  # fmt: skip
    if error:
        state["error"] = error
    return state


# Sequences the browser test replays in the figure too.
SEQUENCES = [
    ["forward"],
    ["forward", "backward"],
    ["forward", "backward", "step", "forward"],
    ["forward", "backward", "step", "forward", "backward"],
    ["forward", "backward", "step", "zeroGrad", "forward", "backward"],
    ["forward", "backward", "step", "forward", "backward", "step", "forward"],
    ["forward", "backward", "backward"],
    ["backward"],
    ["step", "zeroGrad", "forward"],
]

# The grad_fn of each operation of the forward pass, first to last, as the figure's table names
# them.
GRAD_FNS = ["MulBackward0", "AddBackward0", "SubBackward0", "PowBackward0"]

NOT_MEASURED = {
    "deep-learning-frameworks": {"2.0": "the PyTorch version whose zero_grad() sets None"},
}

CHECKED_BY = {
    "deep-learning-frameworks": {
        "0.05": "test_the_lessons_walk_through_the_loop",
        "1": "test_the_lessons_walk_through_the_loop",
        "16": "test_four_chunks_of_16_make_one_step_of_64",
        "64": "test_four_chunks_of_16_make_one_step_of_64",
        "4": "test_four_chunks_of_16_make_one_step_of_64",
    },
}


def test_the_lessons_walk_through_the_loop():
    """Forward: ŷ = 1, loss 4. backward(): w.grad = −8, b.grad = −4 (2(wx + b − y)·x by hand).
    step() with lr 0.05: w = 0.9, b = 0.2, and the next forward's loss is 1. backward() again
    without zero_grad(): w.grad = −12, b.grad = −6, the sums."""
    assert LR == 0.05
    first = replay(["forward"])
    assert first["loss"] == pytest.approx(4) and first["wGrad"] is None
    assert START["w"] * X + START["b"] == 1  # ŷ
    after = replay(["forward", "backward"])
    assert (after["wGrad"], after["bGrad"]) == pytest.approx((-8, -4))
    assert after["wGrad"] == pytest.approx(2 * (START["w"] * X + START["b"] - Y) * X)
    stepped = replay(["forward", "backward", "step", "forward"])
    assert (stepped["w"], stepped["b"]) == pytest.approx((0.9, 0.2))
    assert stepped["loss"] == pytest.approx(1)
    summed = replay(["forward", "backward", "step", "forward", "backward"])
    assert (summed["wGrad"], summed["bGrad"]) == pytest.approx((-12, -6))
    fresh = replay(["forward", "backward", "step", "zeroGrad", "forward", "backward"])
    assert (fresh["wGrad"], fresh["bGrad"]) == pytest.approx((-4, -2))


def test_a_second_backward_through_a_freed_graph_is_an_error_and_zero_grad_gives_none():
    assert replay(["forward", "backward", "backward"])["error"] == "RuntimeError"
    zeroed = replay(["forward", "backward", "zeroGrad"])
    assert zeroed["wGrad"] is None and zeroed["bGrad"] is None  # PyTorch 2: set_to_none
    assert replay(["step"])["w"] == START["w"]  # SGD skips a parameter whose grad is None


def test_the_graph_names_the_figures_grad_fns_and_the_text_s_alternatives_hold():
    """The forward pass records MulBackward0, AddBackward0, SubBackward0, PowBackward0; a
    second backward() works after retain_graph=True (and adds again); zero_grad() gives None by
    default and zeros with set_to_none=False."""
    w = torch.tensor(START["w"], requires_grad=True)
    b = torch.tensor(START["b"], requires_grad=True)
    loss = (w * X + b - Y) ** 2
    names, fn = [], loss.grad_fn
    while fn is not None:
        names.append(type(fn).__name__)
        fn = next((f for f, _ in fn.next_functions
                   if f is not None and type(f).__name__ != "AccumulateGrad"), None)
    assert names[::-1] == GRAD_FNS
    loss.backward(retain_graph=True)
    loss.backward()
    assert (w.grad.item(), b.grad.item()) == pytest.approx((-16, -8))
    optimizer = torch.optim.SGD([w, b], lr=LR)
    optimizer.zero_grad(set_to_none=False)
    assert w.grad is not None and w.grad.item() == 0 and b.grad.item() == 0
    optimizer.zero_grad()
    assert w.grad is None and b.grad is None


def test_four_chunks_of_16_make_one_step_of_64():
    """The quiz on gradient accumulation: backward() on four 16-sample chunks' mean losses,
    each divided by 4, leaves the gradient of the 64-sample mean loss; without the division,
    four times it (PyTorch sums what backward() adds, it does not average)."""
    generator = torch.Generator().manual_seed(0)
    inputs, targets = torch.randn(64, 3, generator=generator), torch.randn(64, generator=generator)

    def gradient(chunks: int, divide: bool) -> torch.Tensor:
        weights = torch.zeros(3, requires_grad=True)
        for x, y in zip(inputs.chunk(chunks), targets.chunk(chunks), strict=True):
            loss = ((x @ weights - y) ** 2).mean()
            (loss / chunks if divide else loss).backward()
        assert weights.grad is not None
        return weights.grad

    whole = gradient(1, divide=False)
    assert inputs.chunk(4)[0].shape[0] == 16
    torch.testing.assert_close(gradient(4, divide=True), whole)
    torch.testing.assert_close(gradient(4, divide=False), 4 * whole)
