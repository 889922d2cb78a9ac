"""A starting worker takes no job until its pool's children are warm (issue 18): a job
already waiting in the queue is received only after every child's warm-up, so it starts at
once, and the worker reports ready (answers pings) only then. Runs a real Celery worker whose
children's warm-up is slowed, as on saturated cores, by a hook the worker's Python loads at
start; the assertions are on the order of the worker's log lines, not on times."""

import os
import re
import time
import uuid

import pytest

from jobs import services
from jobs.models import JobStatus, TrainingJob
from tests.fixtures.live_platform import running_platform

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# Loaded by the worker's Python at start (sitecustomize on its PYTHONPATH): each pool child's
# warm-up run is slowed down, as on saturated cores, and logs when it has ended; a child
# logs when it starts a task. (The receiver runs before tasks._set_up_child: Celery's signals
# call their receivers in the order they were connected.)
_SLOW_WARM_UP = """
import logging, os, sys, time
from celery.signals import task_prerun, worker_process_init

@worker_process_init.connect(weak=False)
def _slow_down_the_warm_up(**_kwargs):
    warm_up = sys.modules["engine.process_warm_up"]
    train = warm_up.train

    def slow_train(*args, **kwargs):
        time.sleep(8)
        result = train(*args, **kwargs)
        logging.getLogger("hook").warning("process %d ended its warm-up run", os.getpid())
        return result

    warm_up.train = slow_train

@task_prerun.connect(weak=False)
def _log_task_start(**_kwargs):
    logging.getLogger("hook").warning("process %d starts a task", os.getpid())
"""


def _slowed_warm_up(tmp_path) -> dict:
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(_SLOW_WARM_UP)
    return {"PYTHONPATH": str(hook)}


def _wait_until_ended(jobs, platform) -> None:
    deadline = time.monotonic() + 120
    while not all(TrainingJob.objects.get(pk=job.pk).is_terminal for job in jobs):
        assert time.monotonic() < deadline, platform.logs()
        time.sleep(0.2)


def _first(pattern: str, log: str) -> int:
    found = re.search(pattern, log)
    assert found, (pattern, log)
    return found.start()


def _job_queue() -> str:
    """A queue of this test's own: the session's live platform must not take its jobs."""
    return f"{os.environ.get('DLP_JOB_QUEUE', 'jobs')}-warm-{uuid.uuid4().hex[:8]}"


def test_a_queued_job_is_taken_only_once_every_child_is_warm(user, moons_config, settings,
                                                               tmp_path):
    settings.JOB_QUEUE = _job_queue()
    job = services.job_submit(user=user, config=moons_config)  # waiting before the worker is

    with running_platform(tmp_path, concurrency=2, DLP_JOB_QUEUE=settings.JOB_QUEUE,
                          worker_env=[_slowed_warm_up(tmp_path)]) as platform:
        _wait_until_ended([job], platform)
        log = (tmp_path / "worker.log").read_text()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, log
    warmed = [(m.start(), int(m.group(1)))
              for m in re.finditer(r"process (\d+) ended its warm-up run", log)]
    assert len(warmed) == 2, log
    last_warm = max(at for at, _ in warmed)
    ready = log.index(" ready.")
    received = _first(rf"\[job-{job.pk}-\S+\] received", log)
    assert last_warm < ready, log
    assert last_warm < received, log
    assert int(job.worker.rsplit(":", 1)[1]) in {pid for _, pid in warmed}


def test_a_replacement_child_warms_up_before_its_first_job(user, moons_config, settings,
                                                          tmp_path):
    """A child retired after its task (max-tasks-per-child; a poisoned GPU child alike) is
    replaced by one that warms up before billiard hands it the next job."""
    settings.JOB_QUEUE = _job_queue()
    jobs = [services.job_submit(user=user, config=moons_config) for _ in range(2)]

    with running_platform(tmp_path, concurrency=1, DLP_JOB_QUEUE=settings.JOB_QUEUE,
                          DLP_WORKER_MAX_TASKS_PER_CHILD="1",
                          worker_env=[_slowed_warm_up(tmp_path)]) as platform:
        _wait_until_ended(jobs, platform)
        log = (tmp_path / "worker.log").read_text()

    pids = []
    for job in jobs:
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED, log
        pids.append(int(job.worker.rsplit(":", 1)[1]))
    assert pids[0] != pids[1], log  # the second job ran in the replacement child
    for pid in pids:
        assert (_first(rf"process {pid} ended its warm-up run", log)
                < _first(rf"process {pid} starts a task", log)), log
