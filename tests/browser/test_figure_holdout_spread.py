"""The model-evaluation lesson's figure in Chromium: the standard error of a held-out accuracy,
its normal-approximation 95% range with the exact share of test sets inside it, and the exact
binomial chance of landing within 3 points of the truth,
recomputed here with scipy as the sliders move. It fits a desktop and a phone screen without
a console error."""

import math

import pytest
from django.core.management import call_command

from tests.browser.figure_page import open_figure, shoot_both_sizes, shown
from tests.lessons.claims.test_claims_evaluation_holdout import (
    chance_between,
    chance_within,
    standard_error,
)

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LESSON = "model-evaluation"


@pytest.fixture
def base_url(live_platform):
    call_command("load_lessons", verbosity=0)
    return live_platform.url


def expected(p: float, n: int) -> str:
    se = standard_error(p, n)
    low, high = p - 1.96 * se, min(1, p + 1.96 * se)
    inside = chance_between(p, n, low, high)
    return (f"SE = √(p(1 − p)/n) = {shown(se)}; p ± 1.96 SE, from {shown(low)} to {shown(high)}, "
            f"holds about 95% of test sets of {n} (exactly {shown(inside)}); "
            f"chance of landing within 3 points of p: {shown(chance_within(p, n))}.")


def test_the_spread_shrinks_as_the_test_set_grows(base_url, page):
    root, console_errors = open_figure(page, base_url, LESSON, "holdout-spread")
    readout = root.locator(".figure-readout")
    assert readout.inner_text() == expected(0.9, 40)
    assert "= 0.047;" in readout.inner_text()  # the lesson's standard error

    n = root.get_by_role("slider", name="test-set size n", exact=True)
    n.fill("160")
    assert readout.inner_text() == expected(0.9, 160)
    n.focus()
    page.keyboard.press("ArrowRight")  # one step of 10
    assert readout.inner_text() == expected(0.9, 170)
    root.get_by_role("slider", name="true accuracy p", exact=True).fill("0.7")
    assert readout.inner_text() == expected(0.7, 170)
    n.fill("2000")  # large n: (1 − p)ⁿ underflows unless computed in logs
    assert readout.inner_text() == expected(0.7, 2000)
    # Where the normal approximation is poor: 10 examples at p = 0.99 (only K = 10 is inside).
    root.get_by_role("slider", name="true accuracy p", exact=True).fill("0.99")
    n.fill("10")
    assert readout.inner_text() == expected(0.99, 10)
    assert "(exactly 0.904)" in readout.inner_text()
    assert not console_errors


def test_the_pure_functions_match_scipy(base_url, page):
    open_figure(page, base_url, LESSON, "holdout-spread")
    got = page.evaluate("""() => {
        const f = window.dlFigures["holdout-spread"];
        const pmf = f.binomial(2000, 0.99);
        return [pmf.reduce((a, b) => a + b, 0), f.chanceWithin(0.9, 640), f.standardError(0.9, 40)];
    }""")
    assert got[0] == pytest.approx(1, rel=1e-9)
    assert got[1] == pytest.approx(chance_within(0.9, 640), rel=1e-9)
    assert got[2] == pytest.approx(math.sqrt(0.09 / 40))


def test_the_figure_fits_a_desktop_and_a_phone(base_url, browser, screenshot):
    shoot_both_sizes(browser, screenshot, base_url, LESSON, "holdout-spread")
