"""A learner logs in, opens a lesson with a lab, presses Train and watches it live."""

import pytest
from django.core.management import call_command

from jobs.models import JobEvent, JobStatus, TrainingJob
from tests.browser.conftest import SCREENSHOTS
from tests.fixtures.accounts import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LESSON_URL = "/courses/foundations/what-is-deep-learning/"
SGD_URL = "/courses/foundations/sgd-minibatch-batch/"


def point_count(page, selector: str, trace: int) -> int:
    return page.evaluate(
        "([sel, i]) => { const d = document.querySelector(sel).data;"
        " return d && d[i] ? d[i].x.length : 0; }",
        [selector, trace],
    )


def log_in(page, base_url: str, next_url: str = LESSON_URL) -> None:
    page.goto(f"{base_url}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", "ada")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"**{next_url}")


def test_train_from_a_lesson_draws_live_curves_and_matrix(live_platform, page, screenshot, user):
    call_command("load_lessons", verbosity=0)
    log_in(page, live_platform.url)
    lab = page.locator("section.lab").first
    lab.locator(".lab-form select, .lab-form input").first.wait_for()
    # A longer run, so the curve is seen growing before the job ends.
    epochs = lab.locator("input[name='optim.epochs']")
    if epochs.count():
        epochs.fill(str(min(60, int(epochs.get_attribute("max") or 60))))

    lab.locator("button.lab-train").click()
    page.wait_for_function(
        "() => { const d = document.querySelector('.run-loss')?.data;"
        " return d && d[0].x.length >= 3; }", timeout=30_000,
    )
    early = point_count(page, ".run-loss", 0)
    screenshot(page, "lab-running")
    page.wait_for_function(
        "() => document.querySelector('.lab-status')?.textContent === 'succeeded'", timeout=90_000
    )
    final = point_count(page, ".run-loss", 0)
    assert final > early, "the loss curve did not gain points while training"
    matrix = page.evaluate("() => document.querySelector('.run-cm').data[0].z")
    job = TrainingJob.objects.get(owner=user)
    assert job.status == JobStatus.SUCCEEDED
    info = JobEvent.objects.get(job=job, type="info").payload
    assert sum(map(sum, matrix)) == info["n_val"]  # the heatmap shows the whole validation set
    epochs_done = job.config["optim"]["epochs"]
    assert point_count(page, ".run-loss", 2) == epochs_done  # one validation point per epoch
    assert page.locator("progress").evaluate("p => p.value") == epochs_done
    screenshot(page, "lab-finished")
    lab.screenshot(path=str(SCREENSHOTS / "lab-finished-lab.png"))

    # A reload shows the whole stored run again.
    page.reload()
    page.wait_for_function(
        "(n) => { const d = document.querySelector('.run-loss')?.data;"
        " return d && d[2].x.length === n; }",
        arg=epochs_done, timeout=30_000,
    )
    assert point_count(page, ".run-loss", 0) == final


def test_cancel_button_stops_a_run(live_platform, page, user):
    call_command("load_lessons", verbosity=0)
    log_in(page, live_platform.url, SGD_URL)
    lab = page.locator("section.lab").first
    # Stochastic gradient descent for 200 epochs: long enough to cancel mid-run.
    lab.locator("select[name='optim.batch_size']").select_option(label="1")
    lab.locator("input[name='optim.epochs']").fill("200")
    lab.locator("button.lab-train").click()
    page.wait_for_function(
        "() => document.querySelector('.run-loss')?.data?.[0].x.length > 0", timeout=30_000
    )
    lab.locator("button.lab-cancel").click()
    page.wait_for_function(
        "() => document.querySelector('.lab-status')?.textContent === 'cancelled'",
        timeout=10_000,
    )
    assert TrainingJob.objects.get(owner=user).status == JobStatus.CANCELLED
    assert lab.locator("button.lab-cancel").is_hidden()
