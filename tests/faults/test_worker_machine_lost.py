"""A whole worker machine is lost mid-job (its process group killed with SIGKILL) while a
second worker runs: the job is handed on by the reaper, restarts on the survivor announced
in its stream, and succeeds well within 90 s of the loss; packed companions too."""

import os
import signal
import time

import httpx
import pytest

from jobs.models import JobEvent, JobStatus, TrainingJob
from tests.fixtures.accounts import new_key
from tests.fixtures.live_platform import running_platform

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

RUN = {
    "model": {"kind": "mlp", "hidden": [16, 16], "activation": "relu"},
    "data": {"name": "moons", "n_samples": 1000, "noise": 0.2, "val_fraction": 0.2, "seed": 0},
    "optim": {"name": "sgd", "lr": 0.05, "batch_size": 1, "epochs": 8},
}
# Quicker than the defaults (heartbeat 5 s, stale after 30 s, reaper every 10 s), so the
# test is short; the defaults hand a job on within 40 s of the loss.
FAST_REAPER = {"DLP_JOB_HEARTBEAT_S": "1", "DLP_JOB_STALE_AFTER_S": "8",
               "DLP_REAPER_INTERVAL_S": "2"}


def own_queue() -> dict:
    """A queue only this test's workers read: the session's live platform (started by other
    tests) must not take these jobs, or this test would kill its worker's whole group."""
    return {"DLP_JOB_QUEUE": f"{os.environ['DLP_JOB_QUEUE']}-machine-lost"}


def wait_for(predicate, timeout: float, what: str, logs):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{logs()}")


def training(job_id: int) -> TrainingJob | None:
    job = TrainingJob.objects.get(pk=job_id)
    trained = JobEvent.objects.filter(job_id=job_id, type="metric").exists()
    return job if job.status == JobStatus.RUNNING and job.worker and trained else None


def kill_machine_of(job: TrainingJob, platform) -> None:
    """SIGKILL the whole process group (parent and children) of the job's worker, one of
    this test's own workers."""
    pid = int(job.worker.rsplit(":", 1)[1])
    assert os.getpgid(pid) in {os.getpgid(w.pid) for w in platform.workers}
    group = os.getpgid(pid)
    assert group != os.getpgid(os.getpid())
    os.killpg(group, signal.SIGKILL)


def submit(platform, token: str, config: dict) -> int:
    response = httpx.post(f"{platform.url}/api/v1/jobs/", json={"config": config},
                          headers={"Authorization": f"Token {token}"}, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def assert_restarted_and_succeeded(job_id: int, logs) -> None:
    job = TrainingJob.objects.get(pk=job_id)
    assert job.status == JobStatus.SUCCEEDED, (job.error, logs())
    assert job.attempt == 2
    events = list(JobEvent.objects.filter(job_id=job_id).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    statuses = [e.payload for e in events if e.type == "status"]
    assert [s["status"] for s in statuses] == ["queued", "running", "queued", "running",
                                               "succeeded"]
    assert statuses[2]["requeued"] and statuses[3] == {
        "status": "running", "attempt": 2, "restarted": True,
        "error": "The worker running attempt 1 stopped; starting again."}
    restart = next(e.seq for e in events if e.type == "status" and e.payload.get("restarted"))
    epochs = [e.payload["epoch"] for e in events if e.seq > restart and e.type == "metric"
              and e.payload["scope"] == "epoch"]
    assert epochs == list(range(1, RUN["optim"]["epochs"] + 1))


def test_a_job_whose_worker_machine_dies_succeeds_on_the_surviving_worker(user, tmp_path):
    with running_platform(tmp_path, workers=2, concurrency=1, beat=True,
                          **FAST_REAPER, **own_queue()) as platform:
        job_id = submit(platform, new_key(user), RUN)
        job = wait_for(lambda: training(job_id), 60, "the job to train", platform.logs)
        kill_machine_of(job, platform)
        lost_at = time.monotonic()
        wait_for(lambda: TrainingJob.objects.get(pk=job_id).is_terminal, 90,
                 "the job to end on the surviving worker", platform.logs)
        assert time.monotonic() - lost_at < 90
        assert_restarted_and_succeeded(job_id, platform.logs)
        assert TrainingJob.objects.get(pk=job_id).worker != job.worker


def test_packed_companions_of_a_lost_machine_are_run_again(user, tmp_path):
    with running_platform(tmp_path, workers=2, concurrency=1, beat=True,
                          DLP_PACK_MAX_JOBS="4", **FAST_REAPER, **own_queue()) as platform:
        token = new_key(user)
        job_ids = [submit(platform, token, RUN) for _ in range(3)]
        first = wait_for(lambda: training(job_ids[0]), 60, "a job to train", platform.logs)
        kill_machine_of(first, platform)
        lost = [pk for pk in job_ids if TrainingJob.objects.get(pk=pk).worker == first.worker]
        wait_for(lambda: all(TrainingJob.objects.get(pk=pk).is_terminal for pk in job_ids), 120,
                 "every job to end", platform.logs)
        for pk in job_ids:
            job = TrainingJob.objects.get(pk=pk)
            assert job.status == JobStatus.SUCCEEDED, (pk, job.error, platform.logs())
        for pk in lost:
            assert_restarted_and_succeeded(pk, platform.logs)
