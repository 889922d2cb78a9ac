"""The whole path with real parts: HTTP → PostgreSQL → Celery on Redis → engine → SSE."""

import time

import httpx
import pytest

from jobs.models import JobStatus, TrainingJob
from tests.fixtures.accounts import new_key
from tests.integration.sse_client import read_events

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def token(user) -> str:
    return new_key(user)


def submit(live_platform, token: str, config: dict) -> dict:
    response = httpx.post(
        f"{live_platform.url}/api/v1/jobs/", json={"config": config},
        headers={"Authorization": f"Token {token}"}, timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


def history(live_platform, token: str, job_id: int) -> list[dict]:
    response = httpx.get(
        f"{live_platform.url}/api/v1/jobs/{job_id}/metrics/",
        headers={"Authorization": f"Token {token}"}, timeout=10,
    )
    return response.json()["events"]


def as_tuples(events) -> list[tuple]:
    return [(e.id, e.type, e.data) if hasattr(e, "id") else (e["seq"], e["type"], e["payload"])
            for e in events]


def test_streamed_events_equal_the_stored_history(live_platform, token, moons_config):
    job = submit(live_platform, token, moons_config)
    streamed = read_events(job["urls"]["events"], token)

    stored = history(live_platform, token, job["id"])
    assert as_tuples(streamed) == as_tuples(stored), live_platform.logs()
    assert [e.id for e in streamed] == list(range(1, len(streamed) + 1))
    statuses = [e.data["status"] for e in streamed if e.type == "status"]
    assert statuses == ["queued", "running", "succeeded"], live_platform.logs()
    epochs = [e.data for e in streamed if e.type == "metric" and e.data["scope"] == "epoch"]
    assert [m["epoch"] for m in epochs] == list(range(1, 21))
    matrices = [e.data for e in streamed if e.type == "confusion_matrix"]
    assert len(matrices) == 20
    assert sum(map(sum, matrices[-1]["matrix"])) == 100  # 20% of 500 samples
    final = streamed[-1].data
    assert final["result"]["val_accuracy"] == epochs[-1]["val_accuracy"]
    assert final["result"]["val_accuracy"] > 0.9
    row = TrainingJob.objects.get(pk=job["id"])
    assert row.status == JobStatus.SUCCEEDED and row.last_seq == len(streamed)


def test_cancel_mid_run_stops_within_a_second(live_platform, token, moons_config):
    config = dict(moons_config, optim=dict(moons_config["optim"], batch_size=1, epochs=40))
    config["data"] = dict(config["data"], n_samples=5000)
    job = submit(live_platform, token, config)

    read_events(job["urls"]["events"], token, stop_after=lambda ev: ev[-1].type == "metric")
    asked = time.monotonic()
    response = httpx.post(job["urls"]["cancel"], headers={"Authorization": f"Token {token}"})
    assert response.status_code == 200
    rest = read_events(job["urls"]["events"], token)  # until the stream ends
    stopped_after = time.monotonic() - asked
    assert rest[-1].data["status"] == "cancelled", live_platform.logs()
    assert stopped_after < 1.5, f"cancel took {stopped_after:.2f} s"
    row = TrainingJob.objects.get(pk=job["id"])
    assert row.status == JobStatus.CANCELLED
    epochs_done = [e for e in rest if e.type == "metric" and e.data["scope"] == "epoch"]
    assert len(epochs_done) < 40


def test_reconnecting_with_last_event_id_continues_without_gaps(live_platform, token, moons_config):
    config = dict(moons_config, optim=dict(moons_config["optim"], epochs=60))
    job = submit(live_platform, token, config)

    first = read_events(job["urls"]["events"], token, stop_after=lambda ev: len(ev) >= 25)
    rest = read_events(job["urls"]["events"], token, last_event_id=first[-1].id)

    combined = first + rest
    assert [e.id for e in combined] == list(range(1, len(combined) + 1))
    assert as_tuples(combined) == as_tuples(history(live_platform, token, job["id"]))
    assert combined[-1].data["status"] == "succeeded"


def test_second_delivery_of_a_job_does_not_run_it_again(live_platform, token, moons_config):
    from training_worker.tasks import run_training_job

    job = submit(live_platform, token, moons_config)
    read_events(job["urls"]["events"], token)
    run_training_job.apply_async(args=[job["id"]])  # as a redelivered message would
    time.sleep(1.0)
    statuses = [e["payload"]["status"] for e in history(live_platform, token, job["id"])
                if e["type"] == "status"]
    assert statuses == ["queued", "running", "succeeded"]


def test_event_streams_per_user_are_capped_and_freed(live_platform, token, user, moons_config,
                                                     settings):
    import threading

    from engine import parse_config
    from jobs import services

    # A job that is running but sends nothing (no worker has it): its streams stay open.
    job = TrainingJob.objects.create(owner=user, config=parse_config(moons_config).to_dict())
    services.job_start(job_id=job.pk)
    url = f"{live_platform.url}/api/v1/jobs/{job.pk}/events/"
    headers = {"Authorization": f"Token {token}"}
    limit = settings.SSE_MAX_STREAMS_PER_USER
    opened = threading.Barrier(limit + 1)
    release = threading.Event()

    def hold_stream():
        with httpx.stream("GET", url, timeout=60, headers=headers) as response:
            assert response.status_code == 200
            lines = response.iter_lines()  # kept referenced: dropping it closes the stream
            next(lines)
            opened.wait(timeout=30)
            release.wait(timeout=60)

    holders = [threading.Thread(target=hold_stream) for _ in range(limit)]
    for thread in holders:
        thread.start()
    opened.wait(timeout=30)
    refused = httpx.get(url, headers=headers, timeout=10)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "too_many_streams"
    assert "Too many open event streams" in refused.json()["error"]["message"]

    release.set()  # the holders disconnect; their slots must come back
    for thread in holders:
        thread.join(timeout=30)
    services.job_finish(job_id=job.pk, status=JobStatus.CANCELLED)
    deadline = time.monotonic() + 10
    while (response := httpx.get(url, headers=headers, timeout=10)).status_code == 429:
        assert time.monotonic() < deadline, "the closed streams' slots were not freed"
        time.sleep(0.2)
    assert response.status_code == 200
    assert '"status":"cancelled"' in response.text
