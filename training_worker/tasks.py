"""Celery tasks: thin, take ids, safe to run twice. The work is in runner.py and services.py.

Only the worker imports this module (senders name the tasks: dispatch.RUN_TRAINING_JOB and
the beat schedule in settings), so torch, which the runner imports, is loaded once, in the
worker's parent process before it forks its children.
"""

import logging
import os
import time
from dataclasses import asdict

from billiard.exceptions import WorkerLostError
from celery import shared_task
from celery.exceptions import TimeLimitExceeded
from celery.signals import task_failure, worker_init, worker_process_init
from django.conf import settings

from engine.process_warm_up import warm_up_imports, warm_up_training
from jobs import services
from jobs.dispatch import RUN_TRAINING_JOB
from jobs.retention import prune_step_events
from training_worker import device, reaper, runner, warm_start

log = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name=RUN_TRAINING_JOB,
    soft_time_limit=settings.JOB_TIME_LIMIT_S + 30,
    time_limit=settings.JOB_HARD_TIME_LIMIT_S,
    # A job whose worker process dies (SIGKILL, out of memory, segfault) is tried again,
    # on whichever worker takes the retry, at most JOB_MAX_ATTEMPTS times in all: a job that
    # kills every worker (a poison job) ends `failed` instead of looping.
    retry_on_worker_lost=True,
    max_retries=settings.JOB_MAX_ATTEMPTS - 1,
    default_retry_delay=1,
)
def run_training_job(self, job_id: int, attempt: int = 1) -> None:
    worker = f"{self.request.hostname}:{os.getpid()}"
    # `attempt` is the attempt this message was sent for (the reaper sends later ones);
    # each time Celery retries it after its worker process died, one more.
    try:
        runner.job_run(job_id=job_id, attempt=attempt + self.request.retries, worker=worker)
    except runner.DeviceUnusable as exc:
        # The job has ended `failed`; this child's CUDA context is poisoned, so every later
        # job it took would fail too. SystemExit raised by a task makes billiard report the
        # task's end and then retire the child: the pool starts a fresh one with a clean
        # context (billiard's workloop, "Raised by the job itself").
        raise SystemExit(f"retiring this worker process: its GPU failed ({exc})") from exc


@shared_task(name="training_worker.tasks.reap_lost_jobs")
def reap_lost_jobs() -> dict:
    return asdict(reaper.reap_lost_jobs())


@shared_task(name="training_worker.tasks.prune_events")
def prune_events() -> int:
    return prune_step_events()


@task_failure.connect(sender=run_training_job)
def _job_task_failed(sender=None, exception=None, args=None, **_kwargs) -> None:
    """Runs in the worker's parent process when a job's process died or hit the hard limit.

    (Exceptions inside training never get here: the runner turns them into a failed job.)
    """
    job_id = args[0]
    if isinstance(exception, TimeLimitExceeded):
        reason = (f"The job was killed at the hard time limit of "
                  f"{settings.JOB_HARD_TIME_LIMIT_S} s.")
    elif isinstance(exception, WorkerLostError):
        reason = (f"The worker process running this job died ({exception!r}) in each of "
                  f"{settings.JOB_MAX_ATTEMPTS} attempts; the job was stopped.")
    else:
        reason = f"The job's task failed: {exception!r}"
    services.job_fail_lost_worker(job_id=job_id, reason=reason)


@worker_init.connect
def _warm_up(sender=None, **_kwargs) -> None:
    """Load datasets and the modules torch imports lazily once, in the parent (torch came
    with this module); forked children inherit them. The worker then takes no job until its
    children have warmed up too (warm_start.py); `sender` is None when a test calls this."""
    warm_up_imports()
    if sender is not None:
        warm_start.prepare()
        sender.app.steps["worker"].add(warm_start.WaitForWarmChildren)


@worker_process_init.connect
def _set_up_child(**_kwargs) -> None:
    # Small models on a shared CPU train faster with one thread per job than with many
    # threads fighting over two cores; a GPU worker also asks for repeatable kernels.
    device.configure(settings.TRAINING_DEVICE, threads=settings.TORCH_NUM_THREADS)
    # A tiny run now, before the pool hands this child a job, so the first job does not pay
    # the process's first calls (engine/process_warm_up.py); on the CPU, so it cannot touch
    # a GPU.
    started = time.perf_counter()
    try:
        warm_up_training()
    except Exception:  # a job would meet the same error and report it; the child still serves
        log.exception("warming this worker process up failed")
    log.info("worker process %d warmed up in %.0f ms", os.getpid(),
             (time.perf_counter() - started) * 1000)
    warm_start.child_warm()  # the worker starts taking jobs once each child has said so
