"""The backpropagation lesson's computational graph in Chromium: every forward value, local
slope and chained gradient it shows is the one torch.autograd computes for
L = (σ(w·x + b) − y)², as its sliders move (by mouse and by keyboard)."""

import pytest
import torch

from tests.browser.figure_page import check_phone_width, load_lessons, open_figure, shown, snap

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LESSON, FIGURE = "backpropagation", "backprop-graph"


@pytest.fixture
def base_url(live_platform):
    return load_lessons(live_platform)


def expected_readout(x: float, w: float, b: float, y: float) -> str:
    """The figure's text, with the gradients from autograd rather than the figure's formulas."""
    inputs = {name: torch.tensor(v, dtype=torch.float64, requires_grad=True)
              for name, v in {"x": x, "w": w, "b": b}.items()}
    z = inputs["w"] * inputs["x"] + inputs["b"]
    z.retain_grad()
    a = torch.sigmoid(z)
    a.retain_grad()
    loss = (a - y) ** 2
    loss.backward()
    grad = {name: t.grad.item() for name, t in inputs.items()}
    z_alone = torch.tensor(z.item(), dtype=torch.float64, requires_grad=True)
    (slope,) = torch.autograd.grad(torch.sigmoid(z_alone), z_alone)
    a_ = a.item()
    return (f"Forward: z = {shown(w)}·{shown(x)} + {shown(b)} = {shown(z.item())}; "
            f"a = σ({shown(z.item())}) = {shown(a_)}; "
            f"L = ({shown(a_)} − {shown(y)})² = {shown(loss.item())}. "
            f"Local slopes: ∂L/∂a = {shown(a.grad.item())}, ∂a/∂z = {shown(slope.item())}, "
            f"∂z/∂w = x = {shown(x)}, ∂z/∂x = w = {shown(w)}, ∂z/∂b = 1. "
            f"Chained: ∂L/∂z = {shown(z.grad.item())}, ∂L/∂w = {shown(grad['w'])}, "
            f"∂L/∂b = {shown(grad['b'])}, ∂L/∂x = {shown(grad['x'])}.")


def test_the_graph_shows_autograds_values_as_the_sliders_move(base_url, page, screenshot):
    root, console_errors = open_figure(page, base_url, LESSON, FIGURE)
    readout = root.locator(".figure-readout")
    # Opens on the lesson's worked example: ∂L/∂w ≈ −0.1586 and ∂L/∂b ≈ −0.1058.
    assert readout.inner_text() == expected_readout(1.5, 0.8, -0.2, 1)
    assert "∂L/∂w = −0.159, ∂L/∂b = −0.106" in readout.inner_text()

    weight = root.get_by_role("slider", name="weight w", exact=True)
    weight.focus()
    for _ in range(5):  # 0.1 a press: w = 1.3
        page.keyboard.press("ArrowRight")
    assert readout.inner_text() == expected_readout(1.5, 1.3, -0.2, 1)
    root.get_by_role("slider", name="bias b", exact=True).fill("1")
    root.get_by_role("slider", name="target y", exact=True).fill("0")
    assert readout.inner_text() == expected_readout(1.5, 1.3, 1, 0)
    root.get_by_role("slider", name="input x", exact=True).fill("-2")
    assert readout.inner_text() == expected_readout(-2, 1.3, 1, 0)

    # As the lesson says: with x = 0, w multiplied nothing, so its gradient is 0; b's is not.
    root.get_by_role("slider", name="input x", exact=True).fill("0")
    text = readout.inner_text()
    assert text == expected_readout(0, 1.3, 1, 0)
    assert "∂L/∂w = 0," in text and "∂L/∂b = 0," not in text
    root.get_by_role("slider", name="input x", exact=True).fill("1.5")
    weight.fill("0.8")
    root.get_by_role("slider", name="bias b", exact=True).fill("-0.2")
    root.get_by_role("slider", name="target y", exact=True).fill("1")
    snap(screenshot, page, root, "figure-backprop-graph")
    assert not console_errors


def test_the_graph_fits_a_phone_screen(base_url, browser, screenshot):
    check_phone_width(browser, screenshot, base_url, LESSON, FIGURE)
