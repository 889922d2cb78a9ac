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

# Loaded by the worker's Python at start (sitecustomize on its PYTHONPATH): each pool child
# sleeps before its warm-up, which Celery signals run in the order they were connected.
_SLOW_WARM_UP = """
import time
from celery.signals import worker_process_init

@worker_process_init.connect(weak=False)
def _slow_child_start(**_kwargs):
    time.sleep(5)
"""


def test_a_queued_job_is_taken_only_once_every_child_is_warm(user, moons_config, settings,
                                                               tmp_path):
    settings.JOB_QUEUE = f"{os.environ.get('DLP_JOB_QUEUE', 'jobs')}-warm-{uuid.uuid4().hex[:8]}"
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(_SLOW_WARM_UP)
    job = services.job_submit(user=user, config=moons_config)  # waiting before the worker is

    with running_platform(tmp_path, concurrency=2, DLP_JOB_QUEUE=settings.JOB_QUEUE,
                          worker_env=[{"PYTHONPATH": str(hook)}]) as platform:
        deadline = time.monotonic() + 120
        while not TrainingJob.objects.get(pk=job.pk).is_terminal:
            assert time.monotonic() < deadline, platform.logs()
            time.sleep(0.2)
        log = (tmp_path / "worker.log").read_text()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, log
    warmed = [(m.start(), int(m.group(1)))
              for m in re.finditer(r"worker process (\d+) warmed up in", log)]
    assert len(warmed) == 2, log
    last_warm = max(at for at, _ in warmed)
    ready = log.index(" ready.")
    received = re.search(rf"\[job-{job.pk}-\S+\] received", log).start()
    assert last_warm < ready, log
    assert last_warm < received, log
    assert int(job.worker.rsplit(":", 1)[1]) in {pid for _, pid in warmed}
