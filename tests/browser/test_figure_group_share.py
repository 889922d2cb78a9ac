"""The bias-in-data lesson's group-share figure in Chromium: the threshold fitted to training
data in which group B is a share s, and each group's error there, which scipy recomputes here
as the share and the shift of group B's scores move."""

import pytest

from tests.browser.figure_page import check_phone_width, load_lessons, open_figure, shown, snap
from tests.lessons.claims.test_claims_lesson_figures import fitted_threshold, group_error

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LESSON, FIGURE = "bias-in-data", "group-share"


@pytest.fixture
def base_url(live_platform):
    return load_lessons(live_platform)


def expected(share: float, shift: float) -> str:
    t = fitted_threshold(share, shift)
    error_a, error_b = group_error(t, 0), group_error(t, shift)
    training = (1 - share) * error_a + share * error_b
    return (f"Group B is {shown(share * 100)}% of the training data, scores shifted by "
            f"{shown(shift)}: fitted threshold {shown(t)}; error on group A {shown(error_a)}, "
            f"on group B {shown(error_b)}; training error {shown(training)}.")


def test_the_smaller_group_gets_the_larger_error(base_url, page, screenshot):
    root, console_errors = open_figure(page, base_url, LESSON, FIGURE)
    readout = root.locator(".figure-readout")
    assert readout.inner_text() == expected(0.1, 1.5)
    assert "on group B 0.335" in readout.inner_text()  # the lesson's numbers
    snap(screenshot, page, root, "figure-group-share")
    share = root.get_by_role("slider", name="group B's share of the training data", exact=True)
    share.fill("0.5")
    assert readout.inner_text() == expected(0.5, 1.5)
    assert "threshold 0.75;" in readout.inner_text()
    share.focus()
    page.keyboard.press("ArrowLeft")  # one step of 0.05: 45%
    assert readout.inner_text() == expected(0.45, 1.5)
    shift = root.get_by_role("slider", name="shift δ of group B's scores", exact=True)
    shift.fill("0")  # measured alike: one threshold suits both groups, whatever the share
    assert readout.inner_text() == expected(0.45, 0)
    shift.fill("2.5")
    share.fill("0.2")
    assert readout.inner_text() == expected(0.2, 2.5)
    assert not console_errors


def test_the_figure_fits_a_phone_screen(base_url, browser, screenshot):
    check_phone_width(browser, screenshot, base_url, LESSON, FIGURE)
