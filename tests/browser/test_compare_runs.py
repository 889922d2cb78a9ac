"""Pick runs on My runs, compare them: overlaid curves, seed bands, config differences."""

import time

import pytest

from jobs import services
from jobs.models import TERMINAL_STATUSES, TrainingJob
from tests.browser.test_live_lab import log_in
from tests.browser.test_live_run_page import moons

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def wait_until_done(jobs, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    ids = [job.pk for job in jobs]
    while time.monotonic() < deadline:
        if all(j.status in TERMINAL_STATUSES for j in TrainingJob.objects.filter(pk__in=ids)):
            return
        time.sleep(0.3)
    raise AssertionError("the runs did not finish in time")


def with_seed(config: dict, seed: int) -> dict:
    return {**config, "data": {**config["data"], "seed": seed}}


def test_compare_two_seeds_and_a_different_learning_rate(live_platform, page, screenshot, user):
    base = moons(8)
    seed_0 = services.job_submit(user=user, config=base)
    seed_1 = services.job_submit(user=user, config=with_seed(base, 1))
    faster = services.job_submit(user=user, config={**base, "optim": {**base["optim"], "lr": 0.05}})
    wait_until_done([seed_0, seed_1, faster])

    log_in(page, live_platform.url, "/runs/")
    for job in (seed_0, seed_1, faster):
        page.locator(f"#cmp-{job.pk}").check()
    screenshot(page, "my-runs")
    page.get_by_role("button", name="Compare selected").click()
    page.wait_for_url("**/runs/compare/**")
    page.wait_for_function("() => document.querySelector('.compare-chart').data")

    traces = page.evaluate(
        "() => document.querySelector('.compare-chart').data.map("
        "t => ({ name: t.name, fill: t.fill, n: t.x.length }))")
    names = [t["name"] for t in traces]
    assert f"run #{faster.pk}" in names
    assert any(t["fill"] == "tonexty" for t in traces), "the two seeds have no std band"
    assert f"mean of #{seed_0.pk}, #{seed_1.pk}" in names
    assert f"run #{seed_0.pk}" not in names  # drawn as part of the mean
    assert all(t["n"] == 8 for t in traces)

    differing = page.locator("table.compare-config tbody th").all_text_contents()
    assert sorted(differing) == ["data.seed", "optim.lr"]
    assert page.locator("table.compare-best tbody tr").count() == 3

    # Unticking the bands shows every run on its own; another metric redraws the chart.
    page.locator(".compare-bands").uncheck()
    names = page.evaluate("() => document.querySelector('.compare-chart').data.map(t => t.name)")
    assert sorted(names) == sorted(f"run #{job.pk}" for job in (seed_0, seed_1, faster))
    page.locator(".compare-bands").check()
    page.locator(".compare-metric").select_option("val_accuracy")
    assert page.evaluate(
        "() => document.querySelector('.compare-chart').layout.yaxis.tickformat") == ".0%"
    screenshot(page, "compare-runs")
