"""The introduction's history timeline in Chromium: it renders every milestone, selecting one
by mouse or keyboard shows its date, note and the lesson that teaches it, every such lesson is
published and opens, it logs no console error, and it fits a phone's screen."""

import pytest
from django.core.management import call_command

from lessons.models import Lesson, LessonStatus

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

URL = "/courses/foundations/what-is-deep-learning/"

# The milestones as the figure must show them, oldest first: (year, title, lesson slug).
# Dates are the publications' (McCulloch & Pitts 1943, Rosenblatt 1958, Minsky & Papert 1969,
# Rumelhart, Hinton & Williams 1986, LeCun et al. 1989, Hochreiter & Schmidhuber 1997,
# Krizhevsky et al. 2012, Goodfellow et al. 2014, Kingma & Ba 2014, He et al. 2015,
# Vaswani et al. 2017).
MILESTONES = [
    (1943, "The artificial neuron", "artificial-neurons"),
    (1958, "The perceptron", "artificial-neurons"),
    (1969, "Perceptrons, the book", "artificial-neurons"),
    (1986, "Backpropagation popularised", "backpropagation"),
    (1989, "A convolutional network reads zip codes", "convolutional-networks"),
    (1997, "Long short-term memory", "recurrent-networks"),
    (2012, "AlexNet wins ImageNet", "convolutional-networks"),
    (2014, "Generative adversarial networks", "generative-adversarial-networks"),
    (2014, "The Adam optimizer", "optimizers"),
    (2015, "Residual networks", "initialization-and-unstable-gradients"),
    (2017, "The transformer", "transformers"),
]


@pytest.fixture
def lesson_url(live_platform):
    call_command("load_lessons", verbosity=0)
    return live_platform.url + URL


def open_timeline(page, url: str):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.goto(url)
    root = page.locator('.figure[data-figure="history-timeline"]')
    root.locator(".timeline-detail").wait_for()
    return root, errors


def assert_shows(root, index: int) -> None:
    year, title, slug = MILESTONES[index]
    detail = root.locator(".timeline-detail")
    assert detail.locator(".timeline-heading").inner_text() == f"{year}: {title}"
    assert detail.locator(".timeline-note").inner_text().strip()
    link = detail.locator("a.timeline-lesson")
    assert link.get_attribute("href") == f"/courses/foundations/{slug}/"
    assert link.inner_text() == Lesson.objects.get(slug=slug).title
    pressed = root.locator(".timeline-event[aria-pressed=true]")
    assert pressed.count() == 1 and pressed.inner_text().split("\n")[0] == str(year)


def test_timeline_shows_each_milestone_by_mouse_and_keyboard(lesson_url, page, screenshot):
    root, errors = open_timeline(page, lesson_url)
    events = root.locator(".timeline-event")
    assert [
        tuple(text.split("\n")) for text in events.all_inner_texts()
    ] == [(str(year), title) for year, title, _ in MILESTONES]
    assert_shows(root, 0)

    events.nth(6).click()  # 2012
    assert_shows(root, 6)
    screenshot(page, "history-timeline")
    root.screenshot(path=str(screenshot(page, "history-timeline").with_name(
        "history-timeline-close.png")))

    events.nth(6).focus()
    page.keyboard.press("ArrowRight")
    assert_shows(root, 7)
    assert page.evaluate("document.activeElement.textContent").startswith("2014")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert_shows(root, 5)
    page.keyboard.press("End")
    assert_shows(root, len(MILESTONES) - 1)
    page.keyboard.press("ArrowRight")  # stays on the last
    assert_shows(root, len(MILESTONES) - 1)
    page.keyboard.press("Home")
    assert_shows(root, 0)
    # One tab stop: only the selected milestone is in the tab order.
    assert [int(events.nth(i).get_attribute("tabindex")) for i in range(events.count())] == [
        0] + [-1] * (len(MILESTONES) - 1)
    assert errors == []


def test_every_milestone_links_to_a_published_lesson_that_opens(lesson_url, page):
    root, errors = open_timeline(page, lesson_url)
    hrefs = []
    for i in range(len(MILESTONES)):
        root.locator(".timeline-event").nth(i).click()
        hrefs.append(root.locator("a.timeline-lesson").get_attribute("href"))
    published = set(
        Lesson.objects.filter(status=LessonStatus.PUBLISHED).values_list("slug", flat=True)
    )
    for href in sorted(set(hrefs)):
        slug = href.strip("/").split("/")[-1]
        assert slug in published, href
        response = page.request.get(lesson_url.replace(URL, href))
        assert response.status == 200, href
    assert errors == []


def test_timeline_fits_a_phone_screen(lesson_url, browser, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    try:
        root, errors = open_timeline(page, lesson_url)
        root.scroll_into_view_if_needed()
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
        box = root.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        for event in root.locator(".timeline-event").all():
            event_box = event.bounding_box()
            assert event_box["x"] + event_box["width"] <= box["x"] + box["width"]
        root.locator(".timeline-event").nth(10).click()
        assert_shows(root, 10)
        root.screenshot(path=str(screenshot(page, "history-timeline-phone").with_name(
            "history-timeline-phone-close.png")))
        assert errors == []
    finally:
        context.close()
