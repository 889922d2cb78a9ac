"""A transformer's run page draws its attention as a heatmap, one block and head at a time,
with a selector over all of them, from the run's stored events."""

import pytest

from jobs import services
from jobs.models import JobEvent, JobStatus, TrainingJob
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_compare_runs import wait_until_done
from tests.browser.test_live_lab import log_in

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CONFIG = {"model": {"kind": "transformer", "d_model": 16, "heads": 2, "num_layers": 2},
          "data": {"name": "text", "n_samples": 600, "window": 12},
          "optim": {"name": "adam", "lr": 0.003, "batch_size": 32, "epochs": 2}}

HEATMAP = "document.querySelector('.run-panel-attention .run-panel-plot').data[0]"


def test_the_attention_heatmap_shows_the_chosen_head(live_platform, page, user):
    job = services.job_submit(user=user, config=CONFIG)
    wait_until_done([job], timeout=120)
    assert TrainingJob.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
    last = JobEvent.objects.filter(job=job, type="attention").order_by("seq").last().payload
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_platform.url, f"/runs/{job.pk}/")
    page.goto(f"{live_platform.url}/runs/{job.pk}/")
    last_seq = TrainingJob.objects.get(pk=job.pk).last_seq
    page.wait_for_function(
        "(n) => window.liveRun.lastSeq === n && window.liveRun.pending.length === 0"
        " && !window.liveRun.frameRequested", arg=last_seq)
    panel = page.locator(".run-panel-attention")
    assert panel.count() == 1

    heatmap = page.evaluate(f"() => {HEATMAP}")
    assert heatmap["z"] == last["weights"][0][0]
    select = panel.get_by_role("combobox", name="Attention block and head")
    assert select.locator("option").all_inner_texts() == [
        "block 1, head 1", "block 1, head 2", "block 2, head 1", "block 2, head 2"]
    select.select_option(label="block 2, head 2")
    assert page.evaluate(f"() => {HEATMAP}.z") == last["weights"][1][1]
    assert panel.locator("figcaption").first.inner_text().startswith(
        "Attention of block 2, head 2 on a held-out window, epoch 2")
    # Every row a distribution over the past: nothing above the diagonal.
    rows = last["weights"][1][1]
    assert all(abs(sum(row) - 1) < 1e-3 for row in rows)
    assert all(row[j] == 0 for i, row in enumerate(rows) for j in range(i + 1, len(row)))
    assert "".join(last["tokens"]).replace(" ", "␣") == "".join(
        page.evaluate(f"() => {HEATMAP}.customdata.map((row) => row[0][0])"))
    panel.screenshot(path=str(SCREENSHOTS / "panel-attention.png"))

    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)  # the plot follows its box (ResizeObserver)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    panel.screenshot(path=str(SCREENSHOTS / "panel-attention-phone.png"))
    assert errors == []
