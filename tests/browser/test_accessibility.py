"""Every page kind passes an axe-core audit (WCAG 2.1 A and AA), at a desktop's and a phone's
size, and none scrolls sideways on a phone: a visitor's pages, a learner's, every published
lesson, and a run's live view while it trains and once it has ended."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from deployments import deploy
from jobs import services
from jobs.models import JobStatus
from lessons.models import Lesson
from tests.browser.accessibility import axe_violations, describe, sideways_overflow
from tests.browser.test_live_lab import log_in
from training_worker import runner

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
LAB_LESSON = "/courses/foundations/what-is-deep-learning/"
DIGITS = {
    "model": {"kind": "mlp", "hidden": [32], "activation": "relu"},
    "data": {"name": "digits", "n_samples": 600, "val_fraction": 0.2, "seed": 0},
    "optim": {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": 4},
}
MOONS = {
    "model": {"kind": "mlp", "hidden": [16, 16], "activation": "relu"},
    "data": {"name": "moons", "n_samples": 500, "noise": 0.2, "val_fraction": 0.2, "seed": 0},
    "optim": {"name": "adam", "lr": 0.01, "batch_size": 8, "epochs": 30, "log_grad_norms": True},
}


@pytest.fixture
def lessons(live_platform):
    call_command("load_lessons", verbosity=0)


@pytest.fixture
def open_page(browser):
    """open_page(size) → a fresh page of that size; page errors fail the test."""
    contexts, errors = [], []

    def open_(size: str):
        context = browser.new_context(viewport=SIZES[size], is_mobile=size == "phone",
                                      has_touch=size == "phone")
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the pages: {errors}"


def audit(page, name: str, size: str, screenshot=None) -> None:
    """axe finds nothing; a phone does not scroll sideways; a screenshot for the eye."""
    violations = axe_violations(page)
    assert not violations, f"{name} at {size} ({page.url}):\n{describe(violations)}"
    if size == "phone":
        assert sideways_overflow(page) == 0, f"{name} scrolls sideways on a phone ({page.url})"
    if screenshot:
        screenshot(page, f"pages-{name}-{size}")


def trained(user, config: dict):
    """A run trained in this process (its model file lands in the media root the server
    reads too); never queued, so the live platform's worker does not race us for it."""
    job = services.job_create_unqueued(owner=user, config=config)
    runner.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    return job


def lesson_url(lesson: Lesson) -> str:
    return f"/courses/{lesson.module.course.slug}/{lesson.slug}/"


def published_lessons() -> list[Lesson]:
    return list(Lesson.objects.filter(status="published", module__course__is_published=True)
                .select_related("module__course").order_by("module__order", "order"))


@pytest.mark.parametrize("size", SIZES)
def test_a_visitors_pages(lessons, open_page, live_platform, screenshot, size):
    without_lab = next(lesson for lesson in published_lessons() if not lesson.labs.exists())
    pages = {
        "home": "/",
        "course": f"/courses/{without_lab.module.course.slug}/",
        "lesson": lesson_url(without_lab),
        "lesson-with-lab-visitor": LAB_LESSON,
        "login": "/accounts/login/",
        "signup": "/accounts/signup/",
        "password-reset": "/accounts/password-reset/",
        "not-found": "/no/such/page/",
    }
    page = open_page(size)
    for name, path in pages.items():
        page.goto(live_platform.url + path)
        page.wait_for_load_state("networkidle")
        audit(page, name, size, screenshot)
    # A visitor who cannot train is not sent the charting library.
    page.goto(live_platform.url + LAB_LESSON)
    assert page.evaluate("() => typeof window.Plotly") == "undefined"


def test_every_published_lesson_as_a_learner_on_a_phone(lessons, open_page, live_platform, user):
    page = open_page("phone")
    log_in(page, live_platform.url, "/dashboard/")
    lessons_seen = published_lessons()
    assert len(lessons_seen) >= 20
    for lesson in lessons_seen:
        page.goto(live_platform.url + lesson_url(lesson))
        if lesson.labs.exists():  # its form is built by lab.js
            page.locator(".lab-form :is(input, select)").first.wait_for()
        audit(page, f"lesson {lesson.slug}", "phone")


@pytest.mark.parametrize("size", SIZES)
def test_a_learners_pages(lessons, open_page, live_platform, user, screenshot, size):
    job, other = (trained(user, dict(DIGITS, data=dict(DIGITS["data"], seed=seed)))
                  for seed in (0, 1))
    deployed = deploy.model_deploy(user=user, job=job, name="My digits")
    page = open_page(size)
    log_in(page, live_platform.url, "/dashboard/")
    pages = {
        "dashboard": "/dashboard/",
        "lesson-with-lab": LAB_LESSON,
        "runs": "/runs/",
        "run-finished": f"/runs/{job.pk}/",
        "compare": f"/runs/compare/?ids={job.pk}&ids={other.pk}",
        "models": "/models/",
        "model": f"/models/{deployed.pk}/",
        "account": "/accounts/",
        "password-change": "/accounts/password/",
        "account-delete": "/accounts/delete/",
    }
    for name, path in pages.items():
        page.goto(live_platform.url + path)
        page.wait_for_load_state("networkidle")
        if name == "lesson-with-lab":
            page.locator(".lab-form :is(input, select)").first.wait_for()
        if name == "run-finished":
            page.wait_for_function("() => document.querySelector('.run-loss').data")
        audit(page, name, size, screenshot)


def test_a_live_run_view_while_it_trains_and_after(lessons, open_page, live_platform, user,
                                                    screenshot, settings):
    from training_worker.tasks import run_training_job

    # Sent to the worker once its page is open, so the page sees it train.
    job = services.job_create_unqueued(owner=user, config=MOONS)
    page = open_page("desktop")
    log_in(page, live_platform.url, f"/runs/{job.pk}/")
    page.wait_for_function("() => window.liveRun && document.querySelector('.run-loss').data")
    # Everything the live region says, in order (a short run may end before we look).
    page.evaluate("""() => {
      const region = document.querySelector('.run-announcer');
      window.announced = [];
      new MutationObserver(() => window.announced.push(region.textContent))
        .observe(region, { childList: true, characterData: true, subtree: true });
    }""")
    run_training_job.apply_async(args=[job.pk], queue=settings.JOB_QUEUE)
    page.wait_for_function(
        "() => document.querySelector('.run-loss').data[0].x.length >= 3", timeout=30_000)
    audit(page, "run-live", "desktop", screenshot)

    # The text alternative: the loss chart's sentence and its data table, one row an epoch.
    loss = page.locator("figure.chart-figure", has=page.locator(".run-loss"))
    assert loss.locator("figcaption").inner_text() == "Loss by training step"
    assert loss.locator(".run-loss").get_attribute("aria-hidden") == "true"
    page.wait_for_function(
        "() => document.querySelector('.lab-status').textContent === 'succeeded'",
        timeout=120_000)
    page.wait_for_function(
        "() => document.querySelector('.run-announcer').textContent.startsWith('Finished.')")
    announced = page.evaluate("() => window.announced")
    assert any(text.startswith("Training.") for text in announced), announced
    assert announced[-1].startswith("Finished. Epoch 30 of 30. After epoch 30:"), announced
    assert len(announced) < 12, f"a flood of announcements: {announced}"
    text = loss.locator(".chart-text").inner_text()
    assert text.startswith("Latest, epoch 30: train loss") and "Lowest validation loss" in text
    loss.locator("summary", has_text="Data table").click()
    rows = loss.locator("details table tbody tr")
    expect(rows).to_have_count(30)  # the table is built on the disclosure's toggle event
    assert rows.first.locator("th").inner_text() == "1"
    matrix = page.locator("figure.chart-figure", has=page.locator(".run-cm"))
    assert "validation examples right" in matrix.locator(".chart-text").inner_text()
    gradients = page.locator(".run-panel-gradients")
    assert gradients.locator(".chart-text").inner_text().startswith("Gradient norms at epoch 30")
    audit(page, "run-ended", "desktop", screenshot)

    phone = open_page("phone")
    log_in(phone, live_platform.url, f"/runs/{job.pk}/")
    phone.wait_for_function("() => document.querySelector('.run-loss').data")
    # No toolbar: it covered the charts' titles, and for good on a touch screen.
    assert phone.locator(".modebar").count() == 0
    audit(phone, "run-ended", "phone", screenshot)
