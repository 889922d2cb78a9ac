"""A run's page when the server refuses its event stream, and when the run ends."""

import threading

import httpx
import pytest

from jobs import services
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_live_run_page import moons, open_run, wait_for_status
from tests.fixtures.accounts import new_key

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PROBLEM = ".run-stream-problem"


class HeldStreams:
    """`count` open event streams of one job, held by the user's token until released."""

    def __init__(self, url: str, token: str, count: int):
        self.opened = threading.Barrier(count + 1)
        self.release = threading.Event()
        self.threads = [threading.Thread(target=self.hold, args=(url, token)) for _ in range(count)]

    def hold(self, url: str, token: str) -> None:
        with httpx.stream("GET", url, timeout=90, headers={"Authorization": f"Token {token}"}) as r:
            assert r.status_code == 200
            lines = r.iter_lines()  # kept referenced: dropping it closes the stream
            next(lines)
            self.opened.wait(timeout=30)
            self.release.wait(timeout=90)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        self.opened.wait(timeout=30)
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        for thread in self.threads:
            thread.join(timeout=30)


def test_too_many_streams_is_shown_until_a_stream_frees_up_and_the_end_is_announced_once(
        live_platform, page, user, settings):
    # A run that is running but sends nothing (no worker has it): its streams stay open.
    job = services.job_create_unqueued(owner=user, config=moons(3))
    services.job_start(job_id=job.pk)
    url = f"{live_platform.url}/api/v1/jobs/{job.pk}/events/"
    # Listening from the page's start: the replayed statuses (queued, running) are no end.
    page.add_init_script("""
        window.runsFinished = [];
        document.addEventListener("dlp:run-finished", (e) => window.runsFinished.push(e.detail));
    """)
    with HeldStreams(url, new_key(user), settings.SSE_MAX_STREAMS_PER_USER):
        open_run(page, live_platform, job)
        page.wait_for_selector(f"{PROBLEM}:not([hidden])", timeout=20_000)
        assert page.locator(PROBLEM).inner_text() == (
            "Live updates paused: Too many open event streams (at most "
            f"{settings.SSE_MAX_STREAMS_PER_USER}); close another page first.")
        page.locator(".run-view").screenshot(path=str(SCREENSHOTS / "run-stream-refused.png"))
    # The server asked to wait 10 s (Retry-After); then the page follows the run again.
    page.wait_for_selector(f"{PROBLEM}[hidden]", state="attached", timeout=30_000)
    services.record_events(job_id=job.pk, events=[
        ("metric", {"scope": "epoch", "epoch": 1, "epochs": 3, "step": 10, "train_loss": 0.5,
                    "val_loss": 0.6})])
    page.wait_for_function("() => document.querySelector('.run-loss').data[1].x.length === 1",
                           timeout=20_000)
    assert page.evaluate("() => window.runsFinished") == []
    services.job_finish(job_id=job.pk, status="succeeded", result={})
    wait_for_status(page, "succeeded", timeout=20_000)
    page.wait_for_timeout(500)  # a second announcement would come with the next redraw
    assert page.evaluate("() => window.runsFinished") == [{"jobId": job.pk, "status": "succeeded"}]
