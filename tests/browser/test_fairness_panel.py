"""The run page's fairness panel shows every rate and gap the engine reports for a run on the
hiring data: per group the base rate and positive predictive value beside the error rates,
and the equalized-odds and predictive-parity gaps beside demographic parity."""

import pytest

from jobs import services
from jobs.models import JobEvent, JobStatus, TrainingJob
from tests.browser.test_compare_runs import wait_until_done
from tests.browser.test_live_lab import log_in

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CONFIG = {"model": {"kind": "mlp"},
          "data": {"name": "hiring", "base_rate_b": 0.3},
          "optim": {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": 3}}


def pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def f3(x: float) -> str:
    return f"{x:.3f}"


def test_fairness_panel_shows_base_rates_ppv_and_every_gap(live_platform, page, user):
    job = services.job_submit(user=user, config=CONFIG)
    wait_until_done([job], timeout=120)
    assert TrainingJob.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
    last = JobEvent.objects.filter(job=job, type="fairness").order_by("-seq").first().payload

    log_in(page, live_platform.url, "/runs/")
    page.goto(f"{live_platform.url}/runs/{job.pk}/")
    last_seq = TrainingJob.objects.get(pk=job.pk).last_seq
    page.wait_for_function(
        "(n) => window.liveRun.lastSeq === n && window.liveRun.pending.length === 0"
        " && !window.liveRun.frameRequested", arg=last_seq)
    panel = page.locator(".run-panel-fairness")
    assert panel.locator("th").all_inner_texts() == [
        "group", "base rate", "accuracy", "hired", "FPR", "FNR", "PPV"]
    rows = [row.locator("td").all_inner_texts() for row in panel.locator("tbody tr").all()]
    assert rows == [
        [group, pct(last["base_rate"][i]), pct(last["accuracy"][i]),
         pct(last["selection_rate"][i]), pct(last["fpr"][i]), pct(last["fnr"][i]),
         f3(last["ppv"][i])]
        for i, group in enumerate(["A", "B"])
    ]
    assert [row[1] for row in rows] == ["50.0%", "30.0%"]
    text = panel.inner_text()
    for label, name in (("Demographic parity difference", "demographic_parity_difference"),
                        ("equalized odds difference", "equalized_odds_difference"),
                        ("predictive parity difference", "predictive_parity_difference")):
        assert f"{label} {f3(last[name])}" in text, label
