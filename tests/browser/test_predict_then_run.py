"""A learner in a class answers a predict-then-run question: locks in a prediction, the page
trains the run on the live worker and shows the outcome beside the prediction, the lock holds,
and a reload shows it all again; the instructor sees the prediction on the class page."""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from classroom.models import Cohort, Membership
from lessons.models import Course
from tests.fixtures.accounts import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LESSON_URL = "/courses/foundations/what-is-deep-learning/"
SHOTS = Path("/work/notes/shots/predict")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
WRONG_GUESS = "Almost perfectly, just like the network with ReLU"


def log_in(page, base_url: str, username: str, next_url: str) -> None:
    page.goto(f"{base_url}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"**{next_url}")


def shoot(target, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = str(SHOTS / f"{name}.png")
    if hasattr(target, "goto"):
        target.screenshot(path=path, full_page=True)
    else:
        target.screenshot(path=path)


def on_a_phone(browser, page, url: str):
    phone = browser.new_context(viewport=PHONE, storage_state=page.context.storage_state())
    view = phone.new_page()
    view.goto(url)
    return view


def post_again(page, url: str, method: str, body: dict) -> dict:
    """A request from the learner's own page (their session and CSRF cookie)."""
    return page.evaluate(
        """async ([url, method, body]) => {
             const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
             const r = await fetch(url, {method, credentials: "same-origin",
               body: JSON.stringify(body),
               headers: {"Content-Type": "application/json", "X-CSRFToken": token}});
             return {status: r.status, body: await r.json()};
           }""",
        [url, method, body],
    )


def test_a_learner_predicts_then_runs_and_the_instructor_sees_it(live_platform, browser, user,
                                                                 make_user):
    call_command("load_lessons", verbosity=0)
    teacher_user = make_user("teacher", is_staff=True)
    cohort = Cohort.objects.create(name="Friday group",
                                   course=Course.objects.get(slug="foundations"))
    cohort.instructors.add(teacher_user)
    Membership.objects.create(cohort=cohort, learner=user)
    base = live_platform.url

    learner = browser.new_context(viewport=DESKTOP).new_page()
    errors: list[str] = []
    learner.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(learner, base, user.username, LESSON_URL)
    box = learner.locator(".prediction").first
    expect(box).to_contain_text("two hidden layers of 16 units")
    expect(box).to_contain_text("model.hidden: [16, 16]")
    shoot(box, "prediction-before-desktop")

    box.locator("button.prediction-lock").click()  # nothing picked: said beside the form
    expect(box.locator(".prediction-error")).to_have_text("Pick the outcome you expect.")

    box.get_by_label(WRONG_GUESS).check()
    with learner.expect_response(lambda r: r.url.endswith("/run/")) as started:
        box.locator("button.prediction-lock").click()
    assert started.value.status == 201
    expect(box.locator(".prediction-form")).to_be_hidden()
    expect(box.locator(".prediction-given")).to_have_text(WRONG_GUESS)
    outcome = box.locator(".prediction-outcome")
    expect(outcome).to_contain_text("The run gave validation accuracy", timeout=180_000)
    expect(outcome).to_contain_text("“No better than guessing, like the straight line”. "
                                    "Your prediction was not right.")
    expect(box.locator(".verdict")).to_have_text("✗")
    expect(box.locator(".prediction-explanation")).to_contain_text("one linear layer after")
    expect(box).to_have_class("prediction wrong")
    expect(box.locator(".prediction-run-view")).to_contain_text("finished", timeout=60_000)
    shoot(box, "prediction-after-desktop")

    # The lock holds whatever the page is asked: no second prediction, no edit.
    prediction_url = box.get_attribute("data-prediction-url")
    question = int(box.get_attribute("data-question-id"))
    again = post_again(learner, "/api/v1/predictions/", "POST", {"question": question,
                                                                  "choice": 1})
    assert again["status"] == 409
    assert "cannot be changed" in again["body"]["error"]["fields"]["question"]
    edit = post_again(learner, prediction_url, "PATCH", {"choice": 1})
    assert edit["status"] == 405 and "locked once made" in edit["body"]["error"]["message"]
    rerun = post_again(learner, box.get_attribute("data-run-url"), "POST", {})
    assert rerun["status"] == 409  # its run succeeded: the outcome stands

    # A reload shows the stored prediction and outcome, and replays the run.
    learner.reload()
    box = learner.locator(".prediction").first
    expect(box.locator(".prediction-form")).to_be_hidden()
    expect(box.locator(".prediction-given")).to_have_text(WRONG_GUESS)
    expect(box.locator(".prediction-outcome")).to_contain_text("Your prediction was not right.")
    expect(box.locator(".prediction-run-view")).to_contain_text("finished", timeout=60_000)
    phone = on_a_phone(browser, learner, base + LESSON_URL)
    phone_box = phone.locator(".prediction").first
    expect(phone_box.locator(".prediction-run-view")).to_contain_text("finished", timeout=60_000)
    shoot(phone_box, "prediction-after-phone")
    assert not errors, errors

    teacher = browser.new_context(viewport=DESKTOP).new_page()
    log_in(teacher, base, "teacher", f"/classes/{cohort.pk}/")
    row = teacher.locator(f"tr[data-learner='{user.username}']")
    expect(row.locator("td.predictions")).to_have_text("0 / 1")
    shoot(teacher, "class-page-desktop")
    shoot(on_a_phone(browser, teacher, f"{base}/classes/{cohort.pk}/"), "class-page-phone")
