"""Opening one lesson figure in Chromium, reading its numbers as it prints them, and checking
it at phone width (or at desktop and phone width with its screenshots,
test-artifacts/screenshots/figure-<name>-<width>.png): shared by the test_figure_<name>.py
files."""

from collections.abc import Iterable
from pathlib import Path

from django.core.management import call_command

COURSE = "/courses/foundations"
PHONE = {"width": 390, "height": 844}
SIZES = [(1280, 900), (390, 844)]


def load_lessons(live_platform) -> str:
    call_command("load_lessons", verbosity=0)
    return live_platform.url


def shown(x: float) -> str:
    """A number as the figures print it (common.js fmt): 3 decimals, no trailing zeros, a real
    minus sign."""
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text.replace("-", "−")


def open_figure(page, base_url: str, lesson: str, figure: str):
    """The figure's root, once mounted, and the list its console errors will land in."""
    return open_figure_at(page, f"{base_url}{COURSE}/{lesson}/", figure)


def open_figure_at(page, url: str, figure: str):
    """open_figure for a page given by its whole address."""
    console_errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    page.goto(url)
    root = page.locator(f'.figure[data-figure="{figure}"]')
    root.locator(".figure-readout").first.wait_for()
    return root, console_errors


def expected_vector(values: Iterable[float]) -> str:
    return "(" + ", ".join(shown(v) for v in values) + ")"


def snap(screenshot, page, root, name: str) -> Path:
    """The whole page, and the figure alone (close enough to read its numbers)."""
    path = screenshot(page, name)
    close = path.with_name(f"{name}-close.png")
    root.screenshot(path=str(close))
    return close


def check_phone_width(browser, screenshot, base_url: str, lesson: str, figure: str) -> None:
    """At 390 px the figure and everything in it stay inside the screen, and nothing is logged
    as an error."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2)
    page = context.new_page()
    try:
        root, console_errors = open_figure(page, base_url, lesson, figure)
        root.scroll_into_view_if_needed()
        # The figure's own parts, not the page's: some lessons' formulas are wider than a phone
        # already (the recurrent-networks lesson's inline math), which is not this figure's doing.
        right = root.evaluate(
            "(figure) => Math.max(...[figure, ...figure.querySelectorAll('*')]"
            ".map((e) => e.getBoundingClientRect().right))")
        assert right <= PHONE["width"], f"the figure reaches {right}px: {too_wide(page)}"
        box = root.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        snap(screenshot, page, root, f"figure-{figure}-phone")
        assert not console_errors, console_errors
    finally:
        context.close()


# The innermost elements past the screen's right edge (inside math, the whole formula).
_TOO_WIDE = """() => {
  const edge = document.documentElement.clientWidth + 1;
  const past = (e) => e.getBoundingClientRect().right > edge;
  return [...document.querySelectorAll("body *")]
    .filter((e) => past(e) && ![...e.children].some(past))
    .map((e) => e.closest("math") || e)
    .filter((e, i, all) => all.indexOf(e) === i)
    .slice(0, 5)
    .map((e) => `${e.tagName.toLowerCase()} "${e.textContent.slice(0, 60)}"`);
}"""


def too_wide(page) -> list[str]:
    """What reaches past the screen's right edge, to say what to fix."""
    return page.evaluate(_TOO_WIDE)


def shoot_both_sizes(browser, screenshot, base_url: str, lesson: str, figure: str) -> None:
    """At 1280 and 390 px wide: the figure stays inside the screen, the page does not scroll
    sideways, nothing reaches the console; the page and the figure alone are saved."""
    for width, height in SIZES:
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        try:
            root, console_errors = open_figure(page, base_url, lesson, figure)
            root.scroll_into_view_if_needed()
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{width}px: the page scrolls sideways by {overflow}px"
            box = root.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (width, box)
            path = screenshot(page, f"lesson-{lesson}-{width}")
            root.screenshot(path=str(path.with_name(f"figure-{figure}-{width}.png")))
            assert not console_errors, console_errors
        finally:
            context.close()
