"""The receptive-field figure of "Modern convolutional networks" in Chromium: as its sliders
move, the input pixels it fills and the field it prints are those of the formula
r = 1 + Σ (k − 1)·(product of the strides below), computed here; it fits a phone."""

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

URL = "/courses/foundations/modern-convolutional-networks/"


@pytest.fixture
def lesson_url(live_platform):
    call_command("load_lessons", verbosity=0)
    return live_platform.url + URL


def expected_field(layers: int, kernel: int, stride: int) -> int:
    field, jump = 1, 1
    for _ in range(layers):
        field += (kernel - 1) * jump
        jump *= stride
    return field


def open_figure(page, url: str):
    console_errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    page.goto(url)
    root = page.locator('.figure[data-figure="receptive-field"]')
    root.locator(".figure-readout").wait_for()
    return root, console_errors


def shown(root) -> tuple[int, int, str]:
    """(field printed, input pixels filled, readout text)."""
    out = root.locator(".figure-readout")
    filled = root.locator("canvas").get_attribute("data-inputs-seen")
    return int(out.get_attribute("data-field")), int(filled), out.inner_text()


def test_the_field_follows_kernel_stride_and_depth(lesson_url, page, screenshot):
    root, console_errors = open_figure(page, lesson_url)
    assert shown(root)[:2] == (7, 7)  # three 3x3 layers, stride 1: as the lesson says
    assert "r = 1 + 2 + 2 + 2 = 7" in shown(root)[2]
    sliders = {name: root.get_by_role("slider", name=label, exact=True) for name, label in
               [("layers", "layers"), ("kernel", "kernel size k"), ("stride", "stride s")]}
    sliders["stride"].focus()
    page.keyboard.press("ArrowRight")  # stride 2, from the keyboard
    assert shown(root)[:2] == (expected_field(3, 3, 2),) * 2 == (15, 15)
    for layers, kernel, stride in [(4, 5, 2), (4, 1, 2), (2, 5, 1), (1, 3, 2), (4, 3, 2)]:
        sliders["layers"].fill(str(layers))
        sliders["kernel"].fill(str(kernel))
        sliders["stride"].fill(str(stride))
        field = expected_field(layers, kernel, stride)
        assert shown(root)[:2] == (field, field), (layers, kernel, stride)
        assert shown(root)[2].startswith(f"The centre unit of layer {layers} sees {field} ")
    root.screenshot(path=str(screenshot(page, "figure-receptive-field-page").with_name(
        "figure-receptive-field-close.png")))
    assert not console_errors


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_the_figure_fits_the_screen(lesson_url, browser, screenshot, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        root, console_errors = open_figure(page, lesson_url)
        root.get_by_role("slider", name="layers", exact=True).fill("4")
        root.get_by_role("slider", name="stride s", exact=True).fill("2")
        root.scroll_into_view_if_needed()
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{width}px: the page scrolls sideways by {overflow}px"
        box = root.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert shown(root)[:2] == (31, 31)
        root.screenshot(path=str(screenshot(page, f"lesson-modern-cnn-{width}").with_name(
            f"figure-receptive-field-{width}.png")))
        assert not console_errors
    finally:
        context.close()
