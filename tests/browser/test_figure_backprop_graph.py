"""The backpropagation lesson's computational graph in Chromium: every forward value, local
slope and chained gradient it shows is the one torch.autograd computes for
L = (σ(w·x + b) − y)², as its sliders move (by mouse and by keyboard)."""

import pytest
import torch
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

URL = "/courses/foundations/backpropagation/"


@pytest.fixture
def lesson_url(live_platform):
    call_command("load_lessons", verbosity=0)
    return live_platform.url + URL


def shown(x: float) -> str:
    """A number as the figures print it: 3 decimals, no trailing zeros, a real minus sign."""
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text.replace("-", "−")


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
            f"a = σ({shown(z.item())}) = {shown(a_)}; L = ({shown(a_)} − {shown(y)})² = {shown(loss.item())}. "
            f"Local slopes: ∂L/∂a = {shown(a.grad.item())}, ∂a/∂z = {shown(slope.item())}, "
            f"∂z/∂w = x = {shown(x)}, ∂z/∂x = w = {shown(w)}, ∂z/∂b = 1. "
            f"Chained: ∂L/∂z = {shown(z.grad.item())}, ∂L/∂w = {shown(grad['w'])}, "
            f"∂L/∂b = {shown(grad['b'])}, ∂L/∂x = {shown(grad['x'])}.")


def open_figure(page, url: str):
    console_errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    page.goto(url)
    root = page.locator('.figure[data-figure="backprop-graph"]')
    root.locator(".figure-readout").wait_for()
    return root, console_errors


def test_the_graph_shows_autograds_values_as_the_sliders_move(lesson_url, page, screenshot):
    root, console_errors = open_figure(page, lesson_url)
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
    root.screenshot(path=str(screenshot(page, "figure-backprop-graph").with_name(
        "figure-backprop-graph-close.png")))
    assert not console_errors


def test_the_graph_fits_a_phone_screen(lesson_url, browser, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    try:
        root, console_errors = open_figure(page, lesson_url)
        root.scroll_into_view_if_needed()
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        box = root.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        root.screenshot(path=str(screenshot(page, "figure-backprop-graph-phone").with_name(
            "figure-backprop-graph-phone-close.png")))
        assert not console_errors
    finally:
        context.close()
