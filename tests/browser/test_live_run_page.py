"""A run's own page: live curves and matrix, the epoch scrubber, a dropped connection."""

import time

import pytest

from jobs import services
from jobs.models import JobStatus, TrainingJob
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_live_lab import log_in

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def moons(epochs: int, **optim) -> dict:
    return {
        "model": {"kind": "mlp", "hidden": [16, 16], "activation": "relu"},
        "data": {"name": "moons", "n_samples": 500, "noise": 0.2, "val_fraction": 0.2, "seed": 0},
        "optim": {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": epochs, **optim},
    }


def logged_in(page, live_platform) -> None:
    log_in(page, live_platform.url, "/runs/")


def open_run(page, live_platform, job) -> None:
    if "/accounts/login" in page.url or not page.url.startswith(live_platform.url):
        log_in(page, live_platform.url, f"/runs/{job.pk}/")
    else:
        page.goto(f"{live_platform.url}/runs/{job.pk}/")
    page.wait_for_function("() => window.liveRun && document.querySelector('.run-loss').data")


def history(page, live_platform, job) -> list[dict]:
    """The run's stored events, through the API, with the page's session."""
    response = page.request.get(f"{live_platform.url}/api/v1/jobs/{job.pk}/metrics/")
    assert response.ok
    return response.json()["events"]


def trace(page, selector: str, index: int) -> dict:
    return page.evaluate(
        "([sel, i]) => { const d = document.querySelector(sel).data[i];"
        " return { x: Array.from(d.x), y: Array.from(d.y) }; }", [selector, index])


def wait_for_status(page, status: str, timeout: float = 120_000) -> None:
    page.wait_for_function(
        "(s) => document.querySelector('.lab-status')?.textContent === s", arg=status,
        timeout=timeout)


def test_live_run_page_curves_matrix_and_epoch_scrubber(live_platform, page, screenshot, user,
                                                        settings):  # fmt: skip
    from training_worker.tasks import run_training_job

    logged_in(page, live_platform)
    # Queued but not yet sent to the worker: the page is open before the run starts, so it
    # sees the run train however fast the worker is (a finished run replays all at once).
    job = services.job_create_unqueued(
        owner=user, config=moons(30, batch_size=8, log_grad_norms=True))
    open_run(page, live_platform, job)
    run_training_job.apply_async(args=[job.pk], queue=settings.JOB_QUEUE)
    page.wait_for_function(
        "() => document.querySelector('.run-loss').data[0].x.length >= 3", timeout=30_000)
    early = len(trace(page, ".run-loss", 0)["x"])
    page.locator(".run-view").screenshot(path=str(SCREENSHOTS / "run-page-running.png"))
    wait_for_status(page, "succeeded")
    events = history(page, live_platform, job)
    steps = [e["payload"]["step"] for e in events
             if e["type"] == "metric" and e["payload"]["scope"] == "step"]
    assert trace(page, ".run-loss", 0)["x"] == steps
    assert len(steps) > early, "the loss curve did not grow while the run trained"
    epoch_rows = {e["payload"]["epoch"]: e["payload"] for e in events
                  if e["type"] == "metric" and e["payload"]["scope"] == "epoch"}
    assert len(trace(page, ".run-loss", 2)["x"]) == 30
    matrices = {e["payload"]["epoch"]: e["payload"]["matrix"] for e in events
                if e["type"] == "confusion_matrix"}
    assert page.evaluate("() => document.querySelector('.run-cm').data[0].z") == matrices[30]

    # The scrubber, by keyboard: Home goes to epoch 1, each right arrow one epoch on.
    scrubber = page.locator(".run-scrubber")
    scrubber.focus()
    scrubber.press("Home")
    for _ in range(2):
        scrubber.press("ArrowRight")
    assert page.evaluate("() => document.querySelector('.run-cm').data[0].z") == matrices[3]
    marker = page.evaluate("() => document.querySelector('.run-loss').layout.shapes[0].x0")
    assert marker == epoch_rows[3]["step"]
    acc_marker = page.evaluate("() => document.querySelector('.run-acc').layout.shapes[0].x0")
    assert acc_marker == epoch_rows[3]["step"]
    assert page.locator(".run-panel-boundary .run-panel-plot").get_attribute("data-epoch") == "3"
    assert "3 of 30" in page.locator(".run-scrub-label").text_content()

    # Dragging (any input event) to epoch 17 shows epoch 17 everywhere.
    scrubber.fill("17")
    assert page.evaluate("() => document.querySelector('.run-cm').data[0].z") == matrices[17]
    assert page.evaluate(
        "() => document.querySelector('.run-loss').layout.shapes[0].x0") == epoch_rows[17]["step"]

    # Play steps through the epochs from the first and ends following the latest again.
    page.locator(".run-play").click()
    assert page.locator(".run-cm").get_attribute("data-epoch") == "1"
    page.wait_for_function(
        "() => document.querySelector('.run-scrub-label').textContent.includes('latest')",
        timeout=20_000)
    assert page.locator(".run-cm").get_attribute("data-epoch") == "30"
    scrubber.fill("17")

    # Normalized counts: each true class's row sums to 1.
    page.locator(".run-normalized").check()
    z = page.evaluate("() => document.querySelector('.run-cm').data[0].z")
    assert [round(sum(row), 6) for row in z] == [1.0] * len(z)
    page.locator(".run-log").check()
    assert page.evaluate("() => document.querySelector('.run-loss').layout.yaxis.type") == "log"
    smoothed = trace(page, ".run-loss", 3)["y"]
    assert len(smoothed) == len(steps) and smoothed != trace(page, ".run-loss", 0)["y"]
    best = min(epoch_rows.values(), key=lambda r: r["val_loss"])
    assert trace(page, ".run-loss", 4)["x"] == [best["step"]]
    # Text alternatives carry the final numbers (the sentence under each chart).
    loss_text = page.locator("figure.chart-figure:has(.run-loss) .chart-text").text_content()
    assert loss_text.startswith("Latest, epoch 30:")
    assert f"at epoch {best['epoch']}." in loss_text
    assert page.locator(".run-panel-gradients").count() == 1
    # The info line: what lessons ask a learner to read off their own run.
    info = next(e["payload"] for e in events if e["type"] == "info")
    assert page.locator(".run-info").text_content() == (
        f"{info['n_params']:,} trainable parameters · {info['n_train']:,} training / "
        f"{info['n_val']:,} validation examples · 30 epochs of {info['steps_per_epoch']:,} steps "
        f"(batch 8)")
    page.locator(".run-view").screenshot(path=str(SCREENSHOTS / "run-page-scrubbed.png"))

    # Opened after it finished: the page replays the whole run from history.
    page.reload()
    page.wait_for_function(
        "(n) => document.querySelector('.run-loss')?.data?.[0].x.length === n", arg=len(steps),
        timeout=30_000)
    assert page.evaluate("() => document.querySelector('.run-cm').data[0].z") == matrices[30]


def test_a_dropped_connection_resumes_without_gap_or_duplicate(live_platform, page, user):
    # Closed through the page's hook: Playwright's context.set_offline() does not drop an
    # EventSource that is already streaming in Chromium (tried: the stream carries on), so
    # it cannot stand in for a dropped connection here.
    # Batch size 1: 400 steps and 25 step events per epoch, about 15 s of training.
    logged_in(page, live_platform)
    job = services.job_submit(user=user, config=moons(25, batch_size=1))
    open_run(page, live_platform, job)
    page.wait_for_function(
        "() => document.querySelector('.run-loss').data[0].x.length >= 10", timeout=30_000)
    page.evaluate("() => window.liveRun.source.close()")  # the connection drops ...
    seen = page.evaluate("() => window.liveRun.lastSeq")
    deadline = time.monotonic() + 20
    while TrainingJob.objects.get(pk=job.pk).last_seq < seen + 30 and time.monotonic() < deadline:
        time.sleep(0.2)  # ... while the run goes on without this viewer
    assert TrainingJob.objects.get(pk=job.pk).last_seq >= seen + 30
    page.evaluate("() => window.liveRun.reconnect()")  # ... and comes back
    wait_for_status(page, "succeeded")
    assert TrainingJob.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
    events = history(page, live_platform, job)
    steps = [e["payload"]["step"] for e in events
             if e["type"] == "metric" and e["payload"]["scope"] == "step"]
    assert trace(page, ".run-loss", 0)["x"] == steps  # every point once, in order
    assert len(trace(page, ".run-loss", 2)["x"]) == 25


def test_run_page_reads_on_a_phone(live_platform, browser, user, screenshot):
    job = services.job_submit(user=user, config=moons(5))
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        open_run(page, live_platform, job)
        wait_for_status(page, "succeeded", timeout=60_000)
        page.wait_for_function("() => document.querySelector('.run-cm').data?.[0]?.z?.length === 2")
        screenshot(page, "run-page-phone")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        wide = page.evaluate(
            "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect()"
            ".right > 392).slice(0, 5).map(e => e.tagName + '.' + e.className)")
        assert width <= 390, f"the page scrolls sideways on a phone ({width}px wide): {wide}"
    finally:
        context.close()

