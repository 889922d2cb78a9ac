"""The transformers lesson's positional-encoding figure in Chromium: it renders, the dot
product it prints is PE(p) · PE(q) of the sinusoidal encoding (computed here by the engine's
own function), moving both positions by the same amount leaves it unchanged, it logs no
console error, and it fits a phone's screen."""

import pytest
from django.core.management import call_command

from engine.transformer import sinusoidal_encoding
from tests.browser.figure_page import shown

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

URL = "/courses/foundations/transformers/"
WIDTH, POSITIONS = 16, 32


@pytest.fixture
def lesson_url(live_platform):
    call_command("load_lessons", verbosity=0)
    return live_platform.url + URL


def expected(p: int, q: int) -> str:
    encoding = sinusoidal_encoding(POSITIONS, WIDTH).double()
    value = float(encoding[p] @ encoding[q])
    return f"PE({p}) · PE({q}) = {shown(value)}; offset q − p = {q - p}"


# The elements that stick out of a 390-pixel screen, outside any box that scrolls: what to
# fix when the page scrolls sideways (long inline math cannot wrap).
TOO_WIDE = """() => [...document.querySelectorAll('body *')]
  .filter((n) => n.getBoundingClientRect().right > 391
    && ![...(function* up(e) { while ((e = e.parentElement)) yield e; })(n)]
      .some((a) => ['auto', 'hidden', 'scroll'].includes(getComputedStyle(a).overflowX)))
  .slice(0, 8).map((n) => `${n.tagName} ${(n.textContent || '').slice(0, 60)}`)"""


def open_figure(page, url: str):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.goto(url)
    root = page.locator('.figure[data-figure="positional-encoding"]')
    root.locator(".figure-readout").wait_for()
    return root, errors


def readout(root) -> str:
    return root.locator(".figure-readout").inner_text()


def test_the_dot_product_follows_the_offset_not_the_position(lesson_url, page, screenshot):
    root, errors = open_figure(page, lesson_url)
    assert readout(root).startswith(expected(3, 7))
    assert readout(root).endswith("PE(p) · PE(p) = 8")

    q = root.get_by_role("slider", name="position q", exact=True)
    q.fill("3")  # the same position: d/2 = 8
    assert readout(root).startswith("PE(3) · PE(3) = 8;")
    q.fill("12")
    assert readout(root).startswith(expected(3, 12))
    at_offset_nine = readout(root).split(";")[0].split("= ")[1]

    # Both positions moved by 14: the same offset, the same dot product.
    root.get_by_role("slider", name="position p", exact=True).fill("17")
    q.fill("26")
    assert readout(root).startswith(expected(17, 26))
    assert readout(root).split(";")[0].split("= ")[1] == at_offset_nine
    # And the sum of cosines the figure prints beside it is the same number.
    assert f"Σ cos((q − p)·ωᵢ) = {at_offset_nine}" in readout(root)

    q.focus()
    page.keyboard.press("ArrowLeft")  # q = 25: offset 8
    assert readout(root).startswith(expected(17, 25))
    assert errors == []
    screenshot(page, "figure-positional-encoding")
    root.screenshot(path=str(screenshot(page, "figure-positional-encoding").with_name(
        "figure-positional-encoding-close.png")))


def test_the_figure_fits_a_phone_screen(lesson_url, browser, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    try:
        root, errors = open_figure(page, lesson_url)
        root.scroll_into_view_if_needed()
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, page.evaluate(TOO_WIDE)
        box = root.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert errors == []
        root.screenshot(path=str(screenshot(page, "figure-positional-encoding-phone").with_name(
            "figure-positional-encoding-phone-close.png")))
    finally:
        context.close()
