"""No lesson page scrolls sideways on a 390 px phone, for a visitor or a learner: long inline
formulas wrap, display formulas, code and tables scroll inside their own box.

The page's width is compared with the 390 px the phone has, not with `window.innerWidth`:
an emulated mobile browser zooms out to fit a page that is too wide, and its innerWidth
then grows with the page, so a test against it passes however wide the page is.
"""

import pytest
from django.core.management import call_command

from tests.browser.test_accessibility import lesson_url, published_lessons
from tests.browser.test_live_lab import log_in

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

@pytest.fixture
def lessons(live_platform):
    call_command("load_lessons", verbosity=0)


PHONE = {"width": 390, "height": 844}
# The two lessons whose long inline formulas made a phone scroll sideways; photographed for
# the eye at a phone's and a desktop's width.
SHOWN = ("recurrent-networks", "overfitting")

WIDEST = """() => {
  const width = document.documentElement.scrollWidth;
  const wide = [...document.querySelectorAll('main *')]
    .filter(el => el.getBoundingClientRect().right > %d + 0.5 && !el.closest('.math-scroll,'
      + ' .table-scroll, pre, .figure, .lab-charts'))
    .slice(0, 5).map(el => el.tagName.toLowerCase() + '.' + el.className + ': '
      + el.textContent.slice(0, 60));
  return {width, wide};
}"""


def widths(page) -> dict:
    return page.evaluate(WIDEST % PHONE["width"])


@pytest.mark.parametrize("who", ["visitor", "learner"])
def test_no_lesson_page_is_wider_than_a_phone(lessons, browser, live_platform, user, screenshot,
                                              who):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    if who == "learner":
        log_in(page, live_platform.url, "/dashboard/")
    too_wide = {}
    seen = published_lessons()
    assert len(seen) >= 20
    for lesson in seen:
        page.goto(live_platform.url + lesson_url(lesson))
        if who == "learner" and lesson.labs.exists():  # its form is built by lab.js
            page.locator(".lab-form :is(input, select)").first.wait_for()
        measured = widths(page)
        if measured["width"] > PHONE["width"]:
            too_wide[lesson.slug] = measured
        if lesson.slug in SHOWN:
            screenshot(page, f"lesson-{lesson.slug}-390-{who}")
    context.close()
    assert not too_wide, f"lesson pages wider than {PHONE['width']} px: {too_wide}"


def test_the_two_lessons_with_long_formulas_on_a_desktop(lessons, page, live_platform,
                                                        screenshot):
    for lesson in published_lessons():
        if lesson.slug in SHOWN:
            page.goto(live_platform.url + lesson_url(lesson))
            assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
            screenshot(page, f"lesson-{lesson.slug}-1280")
