"""A worker process killed with SIGKILL mid-job: the job is retried once, or ends `failed`
with the reason; it is never left `running`. Runs against a real Celery worker on Redis."""

import os
import signal
import time

import httpx
import pytest

from jobs.models import JobEvent, JobStatus, TrainingJob
from tests.fixtures.accounts import new_key

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LONG_RUN = {
    "model": {"kind": "mlp", "hidden": [16, 16], "activation": "relu"},
    "data": {"name": "moons", "n_samples": 2000, "noise": 0.2, "val_fraction": 0.2, "seed": 0},
    "optim": {"name": "sgd", "lr": 0.05, "batch_size": 1, "epochs": 60},
}


def wait_for(predicate, timeout: float, what: str, logs=lambda: ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{logs()}")


def running_attempt(job_id: int, attempt: int) -> TrainingJob | None:
    """The job if this attempt is running and has already stored a metric."""
    job = TrainingJob.objects.get(pk=job_id)
    started = JobEvent.objects.filter(job_id=job_id, type="status", payload__attempt=attempt)
    if job.status != JobStatus.RUNNING or job.attempt != attempt or not started.exists():
        return None
    trained = JobEvent.objects.filter(job_id=job_id, type="metric", seq__gt=started.get().seq)
    return job if trained.exists() else None


def kill_worker_process(job: TrainingJob) -> None:
    pid = int(job.worker.rsplit(":", 1)[1])
    assert pid != os.getpid()
    os.kill(pid, signal.SIGKILL)


@pytest.fixture
def submit(live_platform, user):
    token = new_key(user)

    def submit_job() -> int:
        response = httpx.post(
            f"{live_platform.url}/api/v1/jobs/", json={"config": LONG_RUN},
            headers={"Authorization": f"Token {token}"}, timeout=10,
        )
        assert response.status_code == 201, response.text
        return response.json()["id"]

    return submit_job


def test_a_killed_job_is_retried_once_from_the_start(live_platform, submit):
    job_id = submit()
    first = wait_for(lambda: running_attempt(job_id, 1), 30, "attempt 1 to train",
                     logs=live_platform.logs)
    kill_worker_process(first)

    second = wait_for(lambda: running_attempt(job_id, 2), 30, "attempt 2 to train")
    assert second.worker != first.worker
    TrainingJob.objects.filter(pk=job_id).update(cancel_requested=True)  # no need to wait
    wait_for(lambda: TrainingJob.objects.get(pk=job_id).is_terminal, 15, "the job to end")

    events = list(JobEvent.objects.filter(job_id=job_id).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    statuses = [(e.payload["status"], e.payload.get("attempt")) for e in events
                if e.type == "status"]
    assert statuses == [("queued", None), ("running", 1), ("running", 2), ("cancelled", None)]
    # After the restart the curve starts again: no event of attempt 1 follows it.
    restart = next(i for i, e in enumerate(events) if e.payload.get("restarted"))
    after = events[restart + 1:]
    assert after[0].type == "info"
    metrics = [e.payload for e in after if e.type == "metric"]
    assert metrics[0]["epoch"] == 1
    assert [m["step"] for m in metrics] == sorted(m["step"] for m in metrics)


def test_a_job_that_kills_every_worker_fails_with_the_reason(live_platform, submit):
    job_id = submit()
    kill_worker_process(wait_for(lambda: running_attempt(job_id, 1), 30, "attempt 1"))
    kill_worker_process(wait_for(lambda: running_attempt(job_id, 2), 30, "attempt 2"))

    job = wait_for(
        lambda: (j := TrainingJob.objects.get(pk=job_id)).is_terminal and j, 30, "the job to fail"
    )
    assert job.status == JobStatus.FAILED, live_platform.logs()
    assert "died" in job.error and "2 attempts" in job.error
    final = JobEvent.objects.filter(job_id=job_id).order_by("-seq").first()
    assert final.payload["status"] == "failed"
