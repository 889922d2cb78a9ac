"""A lab's form as a learner sees it: human labels with a line of help, a list field typed
as "16, 32", a yes/no field as a checkbox, and bad text refused beside its field."""

import pytest
from django.core.management import call_command

from jobs.models import TrainingJob
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_live_lab import log_in

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CNN_URL = "/courses/foundations/convolutional-networks/"


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800},
                                      {"width": 390, "height": 844}], ids=["desktop", "phone"])
def test_a_list_field_is_typed_as_a_list_and_bad_text_is_refused_in_the_form(
    live_platform, browser, user, viewport
):
    call_command("load_lessons", verbosity=0)
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        log_in(page, live_platform.url, CNN_URL)
        lab = page.locator("section.lab").first
        channels = lab.locator("[data-path='model.channels']")
        assert channels.input_value() == "16, 32"  # the preset, as a list
        field = channels.locator("xpath=..")  # its label
        assert field.locator(".lab-field-name").text_content() == "Convolution channels"
        assert "comma-separated" in field.locator(".lab-field-help").text_content()
        pool = lab.locator("[data-path='model.pool']")
        assert pool.get_attribute("type") == "checkbox" and pool.is_checked()
        assert "model.pool" not in lab.locator(".lab-form").inner_text()  # no raw paths

        channels.fill("16, abc")
        lab.locator("button.lab-train").click()
        slot = lab.locator("[data-error-for='model.channels']")
        assert "“abc” is not a whole number" in slot.text_content()
        assert not TrainingJob.objects.filter(owner=user).exists()  # nothing was sent
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        lab.screenshot(path=str(SCREENSHOTS / f"lab-form-{viewport['width']}.png"))

        channels.fill("8 , 16")
        pool.set_checked(False)
        lab.locator("button.lab-train").click()
        page.wait_for_function("() => document.querySelector('section.lab').liveRun")
        job = TrainingJob.objects.get(owner=user)
        assert job.config["model"]["channels"] == [8, 16]
        assert job.config["model"]["pool"] is False
        assert slot.text_content() == ""
        lab.locator("button.lab-cancel").click()
        page.wait_for_function(
            "() => ['cancelled', 'succeeded'].includes("
            "document.querySelector('section.lab .lab-status').textContent)", timeout=60_000)
    finally:
        context.close()
    assert not errors
