"""The recurrent-networks lesson's rnn-gradient figure in Chromium: ∂h_T/∂h_{T−k} of the
one-unit RNN h_t = tanh(w·h_{t−1} + x), which torch.autograd recomputes here, vanishing and
exploding as w, T and x move; the linear cell gives w^k."""

import json

import pytest
import torch

from tests.browser.figure_page import check_phone_width, load_lessons, open_figure, snap

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LESSON, FIGURE = "recurrent-networks", "rnn-gradient"


@pytest.fixture
def base_url(live_platform):
    return load_lessons(live_platform)


def autograd_gradients(w: float, steps: int, x: float, cell: str = "tanh") -> list[float]:
    """∂h_T/∂h_{T−k} for k = 0 … T, each by autograd through the unrolled steps."""
    states = [torch.tensor(0.0, dtype=torch.float64, requires_grad=True)]
    for _ in range(steps):
        total = w * states[-1] + x
        states.append(torch.tanh(total) if cell == "tanh" else total)
    grads = torch.autograd.grad(states[-1], states[:-1])
    by_step = [g.item() for g in grads] + [1.0]  # h_T with respect to itself: 1
    return [by_step[steps - k] for k in range(steps + 1)]


def shown_sig(x: float) -> str:
    """rnn-gradient.js `sig`: 3 significant digits, exponent notation below 0.001 or from 10⁵."""
    if x == 0:
        return "0"
    if abs(x) >= 1e5 or abs(x) < 1e-3:
        mantissa, exponent = f"{x:.2e}".split("e")
        sign = "−" if exponent[0] == "-" else "+"
        return f"{mantissa}e{sign}{int(exponent[1:])}".replace("-", "−")
    return f"{float(f'{x:.3g}')}".removesuffix(".0").replace("-", "−")


def check(root, w: float, steps: int, x: float, cell: str = "tanh") -> str:
    readout = root.locator(".figure-readout")
    shown_grads = json.loads(readout.get_attribute("data-gradients"))
    expected = autograd_gradients(w, steps, x, cell)
    assert shown_grads == pytest.approx(expected, rel=1e-9, abs=1e-300)
    text = readout.inner_text()
    assert f"∂h_T/∂h_0 over T = {steps} steps = {shown_sig(expected[-1])}:" in text
    return text


def test_the_gradient_vanishes_and_explodes_as_autograd_says(base_url, page, screenshot):
    root, console_errors = open_figure(page, base_url, LESSON, FIGURE)
    # The lesson: x = 0 keeps h at 0, where tanh's slope is 1: the factor is w, 0.8¹⁰ ≈ 0.107.
    assert "= 0.107: the gradient keeps a usable size." in check(root, 0.8, 10, 0)
    steps = root.get_by_role("slider", name="steps T", exact=True)
    steps.fill("50")
    assert "vanishes" in check(root, 0.8, 50, 0)  # 0.8⁵⁰ ≈ 0.000014, as the lesson says
    assert "= 1.43e−5" in check(root, 0.8, 50, 0)

    weight = root.get_by_role("slider", name="recurrent weight w", exact=True)
    weight.fill("1.5")
    steps.fill("30")
    assert "= 1.92e+5: the gradient explodes." in check(root, 1.5, 30, 0)
    snap(screenshot, page, root, "figure-rnn-gradient-exploding")
    root.get_by_role("slider", name="input x at every step", exact=True).fill("0.5")
    text = check(root, 1.5, 30, 0.5)
    assert "h_T = 0.959" in text and "= 1.12e−26: the gradient vanishes." in text
    snap(screenshot, page, root, "figure-rnn-gradient")

    root.get_by_role("radio", name="linear (no tanh)", exact=True).check()
    text = check(root, 1.5, 30, 0.5, "linear")
    assert f"= {shown_sig(1.5 ** 30)}:" in text  # w^T, whatever the input
    weight.focus()
    page.keyboard.press("ArrowLeft")  # one step of 0.05: w = 1.45
    check(root, 1.45, 30, 0.5, "linear")
    assert not console_errors


def test_the_figure_fits_a_phone_screen(base_url, browser, screenshot):
    check_phone_width(browser, screenshot, base_url, LESSON, FIGURE)
