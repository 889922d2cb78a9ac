"""The normalization lesson's figure in Chromium: one unit's batch of four, normalized and then
scaled by γ and shifted by β; the test recomputes the readout (and checks it against torch's
BatchNorm1d) as the sliders move."""

import pytest
import torch
from django.core.management import call_command

from tests.browser.figure_page import open_figure_at, shown

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

URL = "/courses/foundations/normalization-layers/"
EPS = 1e-5
SHOTS = "figure-batch-norm"


@pytest.fixture
def lesson_url(live_platform):
    call_command("load_lessons", verbosity=0)
    return live_platform.url + URL


def expected_readout(last: float, gamma: float, beta: float) -> str:
    values = [1.0, 2.0, 3.0, last]
    mean = sum(values) / 4
    variance = sum((v - mean) ** 2 for v in values) / 4
    normalized = [(v - mean) / (variance + EPS) ** 0.5 for v in values]
    outputs = [gamma * n + beta for n in normalized]
    # The same outputs from torch's own layer in training mode.
    layer = torch.nn.BatchNorm1d(1).train()
    with torch.no_grad():
        layer.weight.fill_(gamma)
        layer.bias.fill_(beta)
        torch_outputs = layer(torch.tensor(values).reshape(4, 1)).flatten().tolist()
    assert torch_outputs == pytest.approx(outputs, abs=1e-5)
    vector = ", ".join
    return (f"mean = {shown(mean)}; variance = {shown(variance)}; "
            f"ẑ = ({vector(shown(n) for n in normalized)}); "
            f"outputs = ({vector(shown(y) for y in outputs)})")


# What sticks out on the right, for the failure message of the phone test.
WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll("main *")]
  .filter((node) => node.getBoundingClientRect().right > document.documentElement.clientWidth)
  .slice(0, 5).map((node) => `${node.tagName}: ${node.textContent.slice(0, 60)}`)"""


def readout(root) -> str:
    return root.locator(".figure-readout").inner_text()


def test_the_figure_normalizes_the_batch_as_the_sliders_move(lesson_url, page, screenshot):
    root, console_errors = open_figure_at(page, lesson_url, "batch-norm")
    # The lesson's worked example: (1, 2, 3, 6), γ = 2, β = 0.5 -> outputs (−1.64, …, 3.71).
    assert readout(root) == expected_readout(6, 2, 0.5)
    assert "mean = 3; variance = 3.5" in readout(root)
    assert "outputs = (−1.638, −0.569, 0.5, 3.707)" in readout(root)

    last = root.get_by_role("slider", name="last value z₄", exact=True)
    last.focus()
    page.keyboard.press("ArrowRight")  # one step of 0.5: z₄ = 6.5
    assert readout(root) == expected_readout(6.5, 2, 0.5)
    last.fill("-4")
    assert readout(root) == expected_readout(-4, 2, 0.5)
    root.get_by_role("slider", name="scale γ", exact=True).fill("-1.5")
    assert readout(root) == expected_readout(-4, -1.5, 0.5)
    root.get_by_role("slider", name="shift β", exact=True).fill("2")
    assert readout(root) == expected_readout(-4, -1.5, 2)
    # However the values move, ẑ keeps mean 0: moving one value changes every output.
    before = readout(root).split("outputs = ")[1]
    last.fill("10")
    after = readout(root).split("outputs = ")[1]
    assert readout(root) == expected_readout(10, -1.5, 2)
    pairs = zip(before.split(", "), after.split(", "), strict=True)
    assert all(a != b for a, b in pairs)
    root.scroll_into_view_if_needed()
    root.screenshot(path=str(screenshot(page, SHOTS).with_name(f"{SHOTS}-close.png")))
    assert not console_errors


def test_the_figure_fits_a_phone(lesson_url, browser, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        root, console_errors = open_figure_at(page, lesson_url, "batch-norm")
        root.scroll_into_view_if_needed()
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, page.evaluate(WIDER_THAN_THE_SCREEN)
        box = root.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        root.screenshot(path=str(screenshot(page, f"{SHOTS}-phone").with_name(
            f"{SHOTS}-phone-close.png")))
        assert not console_errors
    finally:
        context.close()


def test_the_pure_functions(lesson_url, page):
    page.goto(lesson_url)
    page.wait_for_function("() => window.dlFigures !== undefined")
    got = page.evaluate(
        """() => {
          const f = window.dlFigures["batch-norm"];
          return { two: f.batchNorm([5, -3], 1, 0).normalized, stats: f.batchStats([1, 2, 3, 6]) };
        }"""
    )
    # Two values always normalize to −1 and +1 (up to ε), as the lesson's small-batch section says.
    assert got["two"] == pytest.approx([1, -1], abs=1e-5)
    assert got["stats"] == {"mean": 3, "variance": 3.5}
