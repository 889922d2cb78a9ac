"""The owner shares a run from its page and gets its link; a visitor who is not logged in
opens that link and watches the run; unsharing voids the link."""

import pytest

from jobs import services
from tests.browser.test_live_lab import log_in

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_share_a_run_and_open_its_link_as_a_visitor(live_platform, browser, page, screenshot,
                                                    user, moons_config):  # fmt: skip
    job = services.job_submit(user=user, config=moons_config)
    services.job_cancel(job=job)  # a finished run is enough to share
    log_in(page, live_platform.url, f"/runs/{job.pk}/")
    link = page.locator(".run-share-link")
    assert link.is_hidden()

    page.check(".run-share-toggle")
    page.wait_for_function("() => document.querySelector('.run-share-link').value !== ''")
    assert link.is_visible()
    shared_url = link.input_value()
    assert "/runs/shared/" in shared_url and f"/runs/{job.pk}/" not in shared_url
    screenshot(page, "share-run-owner")

    visitor = browser.new_context().new_page()  # not logged in
    visitor.goto(shared_url)
    visitor.wait_for_function("() => document.querySelector('.lab-status').textContent"
                              " === 'cancelled'")
    assert "read-only" in visitor.content()
    assert visitor.goto(f"{live_platform.url}/runs/{job.pk}/").url.endswith(
        f"/accounts/login/?next=/runs/{job.pk}/")

    page.uncheck(".run-share-toggle")
    page.wait_for_function("() => document.querySelector('.run-share-link').hidden")
    assert visitor.goto(shared_url).status == 404
    visitor.context.close()
