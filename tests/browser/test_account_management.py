"""A learner manages their account in the browser: sets an e-mail address, resets a forgotten
password with the link the platform e-mails (the console backend prints it in the web's log),
downloads their data and deletes the account."""

import json
import re
import time

import pytest
from django.contrib.auth.models import User

from jobs import services
from jobs.models import TrainingJob
from tests.browser.accessibility import axe_violations, describe
from tests.fixtures.accounts import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a-brand-new-password-77"
LINK = re.compile(r"http://127\.0\.0\.1:\d+(/accounts/reset/[^/\s]+/[^/\s]+/)")


def reset_link_in_log(live_platform, after: int, timeout: float = 10) -> str:
    log = live_platform.log_dir / "web.log"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        links = LINK.findall(log.read_text()[after:])
        if links:
            return links[-1]
        time.sleep(0.2)
    raise AssertionError("no password-reset link in the web's log")


def log_in(page, url: str, password: str) -> None:
    page.goto(f"{url}/accounts/login/?next=/accounts/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_reset_password_download_data_and_delete_the_account(live_platform, page, user,
                                                              moons_config, screenshot):
    job = services.job_submit(user=user, config=moons_config)
    log_in(page, live_platform.url, PASSWORD)
    page.wait_for_url("**/accounts/")
    page.get_by_label("E-mail address").fill("ada@example.com")
    page.get_by_role("button", name="Save address").click()
    assert page.get_by_text("E-mail address saved.").is_visible()
    page.get_by_role("button", name="Log out (ada)").click()

    # Forgot the password: ask for a link, follow it from the e-mail, choose a new one.
    page.goto(f"{live_platform.url}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    log_size = len((live_platform.log_dir / "web.log").read_text())
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_role("button", name="Send the link").click()
    assert page.get_by_role("heading", name="Check your e-mail").is_visible()
    page.goto(live_platform.url + reset_link_in_log(live_platform, log_size))
    assert page.get_by_role("heading", name="Choose a new password").is_visible()
    screenshot(page, "pages-password-reset-confirm-desktop")
    assert not axe_violations(page), describe(axe_violations(page))
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    assert page.get_by_role("heading", name="Password changed").is_visible()

    log_in(page, live_platform.url, NEW_PASSWORD)
    page.wait_for_url("**/accounts/")

    # Download everything as one JSON file.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your data").click()
    assert re.fullmatch(r"dlp-ada-\d{4}-\d\d-\d\d\.json", download.value.suggested_filename)
    data = json.loads(download.value.path().read_text())
    assert data["account"]["email"] == "ada@example.com"
    assert [run["id"] for run in data["runs"]] == [job.pk]

    # Delete the account: the password is asked for; a wrong one deletes nothing.
    page.get_by_role("link", name="Delete your account…").click()
    page.get_by_label("Your password").fill(PASSWORD)  # the old one
    page.get_by_role("button", name="Delete my account").click()
    assert page.get_by_text("That is not your password.").is_visible()
    page.get_by_label("Your password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_url(f"{live_platform.url}/")
    assert page.get_by_text("Your account is deleted, with its 1 runs").is_visible()
    assert not User.objects.filter(username="ada").exists()
    assert not TrainingJob.objects.filter(pk=job.pk).exists()
    log_in(page, live_platform.url, NEW_PASSWORD)
    assert page.get_by_text("Please enter a correct username and password").is_visible()
