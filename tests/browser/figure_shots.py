"""What the one-figure Chromium tests share: opening a lesson's figure while collecting console
errors, numbers printed the way the figures print them, and the desktop and phone check with
its screenshots (test-artifacts/screenshots/figure-<name>-<width>.png)."""

from collections.abc import Iterable

COURSE = "/courses/foundations"
SIZES = [(1280, 900), (390, 844)]


def shown(x: float) -> str:
    """A number as the figures print it (common.js fmt): 3 decimals, no trailing zeros, a real
    minus sign."""
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text.replace("-", "−")


def expected_vector(values: Iterable[float]) -> str:
    return "(" + ", ".join(shown(v) for v in values) + ")"


def open_figure(page, base_url: str, lesson: str, figure: str):
    """The figure's root once its readout is drawn, and the list the console's errors go to."""
    console_errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    page.goto(f"{base_url}{COURSE}/{lesson}/")
    root = page.locator(f'.figure[data-figure="{figure}"]')
    root.locator(".figure-readout").first.wait_for()
    return root, console_errors


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
