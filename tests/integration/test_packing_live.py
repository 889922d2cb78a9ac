"""Packing through a real Celery worker: jobs waiting in the queue are trained together by
the worker that starts one of them, and each streams and ends as its own run."""

import os
import time

import pytest

from jobs.models import JobLimits, JobStatus, TrainingJob
from tests.fixtures.accounts import new_key
from tests.fixtures.live_platform import running_platform
from tests.integration.sse_client import read_events
from tests.integration.test_live_training import history, submit

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# Long enough to keep both worker processes busy while the small jobs queue up behind them.
BLOCKER = {
    "model": {"kind": "cnn", "channels": [16, 32]},
    "data": {"name": "digits", "n_samples": 1797, "val_fraction": 0.2, "seed": 0},
    "optim": {"name": "adam", "lr": 0.005, "batch_size": 16, "epochs": 6},
}


def small(seed: int) -> dict:
    return {
        "model": {"kind": "mlp", "hidden": [16, 16], "activation": "relu"},
        "data": {"name": "moons", "n_samples": 300, "val_fraction": 0.2, "seed": seed},
        "optim": {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": 5},
    }


def test_queued_small_jobs_are_packed_and_each_streams_to_its_end(user, tmp_path):
    token = new_key(user)
    limits = JobLimits.current()
    limits.max_concurrent_jobs = 10  # one learner submits all eight
    limits.save()
    # A queue of its own: the session's live platform, if one runs, must not take the jobs.
    queue = os.environ["DLP_JOB_QUEUE"] + "-packing"
    with running_platform(tmp_path, DLP_PACK_MAX_JOBS="8", DLP_JOB_QUEUE=queue) as platform:
        for _ in range(2):
            submit(platform, token, BLOCKER)
        jobs = [submit(platform, token, small(seed)) for seed in range(6)]

        streams = {job["id"]: read_events(job["urls"]["events"], token) for job in jobs}
        deadline = time.monotonic() + 120
        while TrainingJob.objects.exclude(status__in=["succeeded"]).exists():
            assert time.monotonic() < deadline, platform.logs()
            time.sleep(0.5)

        packed_sizes = []
        for job in jobs:
            streamed = streams[job["id"]]
            stored = history(platform, token, job["id"])
            assert [(e.id, e.type, e.data) for e in streamed] == [
                (e["seq"], e["type"], e["payload"]) for e in stored
            ], platform.logs()
            statuses = [e.data["status"] for e in streamed if e.type == "status"]
            assert statuses == ["queued", "running", "succeeded"], platform.logs()
            info = next(e.data for e in streamed if e.type == "info")
            packed_sizes.append(info.get("packed_with", 0))
            epochs = [e.data["epoch"] for e in streamed
                      if e.type == "metric" and e.data["scope"] == "epoch"]
            assert epochs == [1, 2, 3, 4, 5]
            assert streamed[-1].data["result"]["val_accuracy"] > 0.8
        # The blockers kept both processes busy: the first small job a process took found
        # the others queued and took them along.
        assert max(packed_sizes) >= 1, (packed_sizes, platform.logs())
        assert TrainingJob.objects.filter(status=JobStatus.SUCCEEDED).count() == 8
