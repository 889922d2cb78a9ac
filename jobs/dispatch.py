"""Sending a job's message to Celery, named so the broker's queues can be read back.

Each message's task id starts with `job-<id>-`: the reaper (reaper.py) reads the queues to
tell a job whose message is waiting from one whose message was lost, and the same name in a
worker's log tells which job a task is.
"""

import re
import uuid

from django.conf import settings

from dlplatform.celery import app
from engine import TrainConfig
from jobs import routing

_TASK_ID = re.compile(r"^job-(\d+)-")

# Sent by name: the sender (web process, reaper) never imports the worker's task module.
RUN_TRAINING_JOB = "training_worker.tasks.run_training_job"


def task_id_for(job_id: int, attempt: int) -> str:
    return f"job-{job_id}-{attempt}-{uuid.uuid4().hex[:12]}"


def job_id_of(task_id: str) -> int | None:
    """The job a task id names; None for a task that is not a job's."""
    match = _TASK_ID.match(task_id or "")
    return int(match.group(1)) if match else None


def send_job(job_id: int, parsed: TrainConfig, *, attempt: int = 1) -> None:
    """Queue attempt `attempt` of a job on the queue its config routes to. Raises kombu's
    OperationalError when the broker cannot be reached."""
    app.send_task(
        RUN_TRAINING_JOB, args=[job_id], kwargs={"attempt": attempt},
        queue=routing.queue_for(parsed), task_id=task_id_for(job_id, attempt),
    )


def job_queues() -> list[str]:
    """Every queue a job may be routed to."""
    return [q for q in (settings.JOB_QUEUE, settings.JOB_GPU_QUEUE) if q]
