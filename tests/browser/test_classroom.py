"""An instructor creates a class; a learner joins it by its link, fails then passes the
lesson's challenge by training for real; the instructor sees it on the class page and
exports the grade book."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from lessons.models import Challenge
from tests.fixtures.accounts import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LESSON_URL = "/courses/foundations/what-is-deep-learning/"
SHOTS = Path("/work/notes/shots")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def log_in(page, base_url: str, username: str, next_url: str) -> None:
    page.goto(f"{base_url}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"**{next_url}")


def train(page, lab, hidden: str) -> None:
    """Set the hidden layers, press Train, and wait until the finished run's grade (asked of
    the server by the challenge box when the run ends) has arrived."""
    lab.locator("input[name='model.hidden']").fill(hidden)
    with page.expect_response(lambda r: "/api/v1/challenges/" in r.url, timeout=180_000):
        lab.locator("button.lab-train").click()


def shoot(target, name: str) -> None:
    """A screenshot of a page (whole) or of one element (a locator)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = str(SHOTS / f"classroom-{name}.png")
    if hasattr(target, "goto"):
        target.screenshot(path=path, full_page=True)
    else:
        target.screenshot(path=path)


def on_a_phone(browser, page, url: str):
    """The same user's view of `url` in a fresh phone-sized window."""
    phone = browser.new_context(viewport=PHONE, storage_state=page.context.storage_state())
    view = phone.new_page()
    view.goto(url)
    return view


def test_a_learner_joins_fails_then_passes_and_the_instructor_sees_it(
    live_platform, browser, user, make_user
):
    call_command("load_lessons", verbosity=0)
    make_user("teacher", is_staff=True)
    base = live_platform.url

    teacher = browser.new_context(viewport=DESKTOP, accept_downloads=True).new_page()
    log_in(teacher, base, "teacher", "/classes/")
    teacher.fill("input[name=name]", "Thursday lab group")
    teacher.locator("form[aria-label='Create a class'] button").click()
    teacher.wait_for_url("**/classes/*/")
    class_url = teacher.url
    join_link = teacher.locator(".join-link").text_content()

    learner = browser.new_context(viewport=DESKTOP).new_page()
    errors: list[str] = []
    learner.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(learner, base, user.username, "/classes/")
    learner.goto(join_link)
    assert "Thursday lab group" in learner.locator("h1").text_content()
    learner.locator("main form button[type=submit]").click()
    learner.wait_for_url("**/classes/")
    assert "You joined the class" in learner.locator(".messages").text_content()

    learner.goto(base + LESSON_URL)
    lab = learner.locator("section.lab").filter(has=learner.locator(".challenge")).first
    lab.locator("input[name='model.hidden']").wait_for()
    box = lab.locator(".challenge")
    assert "at least 0.95, with at most 30 parameters" in box.text_content()
    assert "No run of yours counts yet" in box.text_content()

    train(learner, lab, "")  # the preset's straight line cannot separate the rings
    expect(box.locator(".challenge-result")).to_contain_text("Not passed yet")
    train(learner, lab, "8")  # separates them, but with 42 parameters
    uncounted = box.locator(".challenge-uncounted")
    expect(uncounted).to_contain_text("at most 30 parameters (got 42)")
    expect(uncounted).to_be_visible()
    train(learner, lab, "4")  # 22 parameters are enough
    expect(box.locator("h3 .ok")).to_be_visible()
    expect(box.locator(".challenge-result")).to_contain_text("Passed: run #")
    expect(uncounted).to_be_hidden()
    shoot(lab, "lab-challenge-desktop")
    phone = on_a_phone(browser, learner, base + LESSON_URL)
    phone_lab = phone.locator("section.lab").filter(has=phone.locator(".challenge")).first
    expect(phone_lab.locator(".challenge h3 .ok")).to_be_visible()
    # The lab replays the stored run; shoot it once drawn to its end.
    expect(phone_lab.locator(".run-view")).to_contain_text("finished", timeout=60_000)
    shoot(phone_lab, "lab-challenge-phone")
    learner.goto(base + "/courses/foundations/")
    assert "1 of 1 challenge passed" in learner.locator(".outline").first.text_content()
    assert not errors, errors

    teacher.goto(class_url)
    row = teacher.locator(f"tr[data-learner='{user.username}']")
    # One passed of the course's challenges (the class page counts them all).
    expect(row).to_contain_text(f"1 / {Challenge.objects.count()}")
    assert "✓" in row.text_content()
    assert row.locator("td.runs a").count() == 3
    shoot(teacher, "class-page-desktop")
    shoot(on_a_phone(browser, teacher, class_url), "class-page-phone")
    with teacher.expect_download() as download:
        teacher.get_by_role("link", name="Export CSV").click()
    table = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    [line] = [r for r in table if r["learner"] == user.username]
    assert line["challenges passed"] == "1" and line["runs"] == "3"
    assert line["challenge: A straight line versus a small network"] == "passed"

    # The instructor opens the learner's run, read-only.
    row.locator("td.runs a").first.click()
    teacher.wait_for_url("**/runs/*/")
    assert teacher.locator("h1").count() == 1
