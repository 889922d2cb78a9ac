"""From a finished run's page, one click deploys its model and opens the model's page."""

import pytest

from deployments.models import DeployedModel
from jobs import services
from tests.browser.test_compare_runs import wait_until_done
from tests.browser.test_live_run_page import moons, open_run

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_deploy_button_opens_the_new_models_page(live_platform, page, user):
    job = services.job_submit(user=user, config=moons(epochs=3))
    wait_until_done([job], timeout=60)
    open_run(page, live_platform, job)
    page.locator("button.run-deploy").click()
    page.wait_for_url("**/models/*/")
    deployed = DeployedModel.objects.get(job=job)
    assert page.url.endswith(f"/models/{deployed.pk}/")
    assert page.locator("h1").first.is_visible()
