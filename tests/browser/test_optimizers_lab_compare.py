"""The optimizers lab, as its instructions go: train SGD, momentum and Adam from the lesson
page, follow the lab's "Compare your runs of this lab" link, tick the three runs and see them
together in one compare view, with the optimizer as the one setting that differs."""

import pytest
from django.core.management import call_command

from jobs.models import JobStatus
from lessons.models import Lab
from tests.browser.test_every_lab import set_field, train_and_wait
from tests.browser.test_live_lab import log_in

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LESSON = "/courses/foundations/optimizers/"


def test_three_optimizers_trained_on_the_page_appear_together_in_the_compare_view(
    live_platform, page, screenshot, user
):
    call_command("load_lessons", verbosity=0)
    lab = Lab.objects.get(lesson__slug="optimizers", slug="sgd-momentum-adam")
    log_in(page, live_platform.url, LESSON)
    section = page.locator(f"section.lab[data-lab-id='{lab.pk}']")
    section.locator(".lab-form [data-path='optim.name']").wait_for()

    jobs, previous = {}, None
    for name in ("sgd", "momentum", "adam"):
        set_field(section, "optim.name", name)
        job = train_and_wait(page, section, lab, user, previous)
        assert job.status == JobStatus.SUCCEEDED, (name, job.error)
        assert job.config["optim"]["name"] == name
        jobs[name], previous = job, job.pk
    # The lesson's table: at the preset's rate Adam ends lowest, plain SGD highest.
    losses = {name: job.result["val_loss"] for name, job in jobs.items()}
    assert losses["sgd"] > losses["momentum"] > losses["adam"], losses
    page.set_viewport_size({"width": 1280, "height": 800})
    section.scroll_into_view_if_needed()
    screenshot(page, "lesson-optimizers-lab-1280")

    section.get_by_role("link", name="Compare your runs of this lab").click()
    page.wait_for_url(f"**/runs/?lab={lab.pk}")
    listed = page.locator("table.runs-table tbody tr")
    assert listed.count() == 3  # only this lab's runs
    for job in jobs.values():
        page.locator(f"#cmp-{job.pk}").check()
    page.get_by_role("button", name="Compare selected").click()
    page.wait_for_url("**/runs/compare/**")
    page.wait_for_function("() => document.querySelector('.compare-chart').data")

    names = page.evaluate(
        "() => document.querySelector('.compare-chart').data.map(t => t.name)")
    assert sorted(names) == sorted(f"run #{job.pk}" for job in jobs.values())
    differing = page.locator("table.compare-config tbody th").all_text_contents()
    assert differing == ["optim.name"]
    cells = page.locator("table.compare-config tbody td").all_text_contents()
    assert [c.strip().strip('"') for c in cells] == ["sgd", "momentum", "adam"]
    assert page.locator("table.compare-best tbody tr").count() == 3
    screenshot(page, "lesson-optimizers-compare-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "lesson-optimizers-compare-390")
