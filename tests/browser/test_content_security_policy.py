"""Every page works under its Content-Security-Policy: a lesson with its figure and lab, a
shared run's live charts (Plotly), the API docs and the admin, with not one violation
reported by Chromium."""

import time

import pytest
from django.core.management import call_command

from jobs import services
from jobs.models import JobStatus, TrainingJob
from tests.browser.test_live_lab import LESSON_URL, log_in

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# Collected in the page from the first script on: the browser fires this event for each
# thing the policy blocks (report-only or not).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


def violations(page) -> list[str]:
    return page.evaluate("() => window.__cspViolations")


def finished_shared_run(user, moons_config) -> TrainingJob:
    moons_config["optim"]["epochs"] = 3
    job = services.job_submit(user=user, config=moons_config)  # sent to the live worker
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_terminal:
            break
        time.sleep(0.3)
    assert job.status == JobStatus.SUCCEEDED, job.error
    return services.job_set_shared(job=job, shared=True)


def test_pages_run_under_the_policy_without_a_violation(live_platform, page, screenshot, user,
                                                        moons_config):  # fmt: skip
    call_command("load_lessons", verbosity=0)
    page.add_init_script(RECORD_VIOLATIONS)
    job = finished_shared_run(user, moons_config)

    response = page.goto(f"{live_platform.url}/runs/shared/{job.share_token}/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy
    # The run's history came through the stream the share link opens, and Plotly drew it.
    page.wait_for_function(
        "() => document.querySelector('.run-loss')?.data?.some((t) => t.x.length > 0)")
    page.wait_for_function("() => document.querySelector('.lab-status').textContent"
                           " === 'succeeded'")
    page.wait_for_selector(".run-loss .main-svg")  # Plotly drew, its <style> allowed
    screenshot(page, "csp-shared-run")
    assert violations(page) == []

    log_in(page, live_platform.url)
    page.locator("section.lab .lab-form").first.wait_for()
    assert violations(page) == []

    page.goto(f"{live_platform.url}/api/v1/docs/")
    page.wait_for_selector("#swagger-ui .information-container")  # its start-up script ran
    assert violations(page) == []

    page.goto(f"{live_platform.url}/admin/login/")
    page.wait_for_selector("#login-form")
    assert violations(page) == []
    assert LESSON_URL  # the lesson log_in opened
