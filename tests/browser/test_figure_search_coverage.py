"""The generalization lesson's search-coverage figure in Chromium: with n trials, a grid tries
⌊√n⌋ values of the one hyperparameter that matters and random search n; the widest untried
stretch and the best score it shows are recomputed here from the trials' own coordinates
(a Python port of its seeded generator, mulberry32)."""

import math

import pytest
from django.core.management import call_command

from tests.browser.figure_page import open_figure_at, shown

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

URL = "/courses/foundations/generalization-in-practice/"
BEST_AT, WIDTH = 0.73, 0.08


def mulberry32(seed: int):
    """The figure's generator, in 32-bit unsigned arithmetic."""
    mask = 0xFFFFFFFF
    state = seed & mask

    def imul(a: int, b: int) -> int:
        return (a * b) & mask

    while True:
        state = (state + 0x6D2B79F5) & mask
        t = imul(state ^ (state >> 15), 1 | state)
        t = ((t + imul(t ^ (t >> 7), 61 | t)) & mask) ^ t
        yield ((t ^ (t >> 14)) & mask) / 2**32


def score(x: float) -> float:
    return 0.5 + 0.45 * math.exp(-((x - BEST_AT) ** 2) / (2 * WIDTH**2))


def summary(xs: list[float]) -> tuple[int, float, float]:
    """(distinct values, widest untried gap of [0, 1], best score) of the important axis."""
    values = sorted(set(xs))
    edges = [0.0, *values, 1.0]
    gap = max(b - a for a, b in zip(edges, edges[1:], strict=False))
    return len(values), gap, max(score(x) for x in values)


def expected(n: int, draw: int) -> str:
    k = math.isqrt(n)
    grid = summary([(i + 0.5) / k for i in range(k)])
    numbers = mulberry32(draw)
    random_xs = []
    for _ in range(n):
        random_xs.append(next(numbers))
        next(numbers)  # the unimportant hyperparameter
    rand = summary(random_xs)

    def values(count: int) -> str:
        return f"{count} distinct value{'' if count == 1 else 's'}"

    return (
        f"{n} trial{'' if n == 1 else 's'}. Grid {k} × {k}: {values(grid[0])} of the important "
        f"hyperparameter, widest untried gap {shown(grid[1])}, best score {shown(grid[2])}. "
        f"Random (draw {draw}): {values(rand[0])}, widest untried gap "
        f"{shown(rand[1])}, best score {shown(rand[2])}. Best possible: {shown(score(BEST_AT))}."
    )


@pytest.fixture
def lesson_url(live_platform):
    call_command("load_lessons", verbosity=0)
    return live_platform.url + URL


def test_random_search_tries_more_values_of_the_important_hyperparameter(
    lesson_url, page, screenshot
):
    root, console_errors = open_figure_at(page, lesson_url, "search-coverage")
    readout = root.locator(".figure-readout")
    assert readout.inner_text() == expected(9, 1)
    assert "Grid 3 × 3: 3 distinct values" in readout.inner_text()  # as the lesson says

    trials = root.get_by_role("slider", name="number of trials", exact=True)
    for n in (16, 25, 30, 49):
        trials.fill(str(n))
        assert readout.inner_text() == expected(n, 1)
    root.get_by_role("slider", name="random draw", exact=True).fill("3")
    assert readout.inner_text() == expected(49, 3)
    assert "Grid 7 × 7: 7 distinct values" in readout.inner_text()
    assert "Random (draw 3): 49 distinct values" in readout.inner_text()

    # One trial: the widest untried stretch runs from the single value to an end of [0, 1].
    trials.fill("1")
    assert readout.inner_text() == expected(1, 3)
    assert "Grid 1 × 1: 1 distinct value of the important hyperparameter, widest untried " \
        "gap 0.5," in readout.inner_text()
    trials.fill("16")
    assert readout.inner_text() == expected(16, 3)
    assert console_errors == []
    path = screenshot(page, "figure-search-coverage")
    root.screenshot(path=str(path.with_name("figure-search-coverage-close.png")))


def test_search_coverage_fits_a_phone_screen(lesson_url, browser, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    try:
        root, console_errors = open_figure_at(page, lesson_url, "search-coverage")
        root.scroll_into_view_if_needed()
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        box = root.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert console_errors == []
        root.screenshot(path=str(screenshot(page, "figure-search-coverage-phone")
                                 .with_name("figure-search-coverage-phone-close.png")))
    finally:
        context.close()
