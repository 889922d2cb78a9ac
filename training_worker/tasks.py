"""Celery tasks: thin, take ids, safe to run twice. The work is in runner.py and services.py.

The web process imports this module to send tasks, so torch is imported only inside the
worker: once, in the parent process before it forks its children (see _warm_up).
"""

from celery import shared_task
from celery.signals import worker_init, worker_process_init
from django.conf import settings

from training_worker import services


@shared_task(
    name="training_worker.tasks.run_training_job",
    soft_time_limit=settings.JOB_TIME_LIMIT_S + 30,
    time_limit=settings.JOB_HARD_TIME_LIMIT_S,
)
def run_training_job(job_id: int) -> None:
    from training_worker import runner

    runner.job_run(job_id=job_id)


@shared_task(name="training_worker.tasks.fail_lost_jobs")
def fail_lost_jobs() -> int:
    return services.fail_lost_jobs()


@worker_init.connect
def _warm_up(**_kwargs) -> None:
    """Import torch and load datasets once in the parent; forked children inherit them."""
    from training_worker import runner  # noqa: F401  (imports torch and the engine)
    from training_worker.engine import warm_up

    warm_up()


@worker_process_init.connect
def _limit_threads(**_kwargs) -> None:
    # Small models on a shared CPU train faster with one thread per job than with many
    # threads fighting over two cores; GPU workers are unaffected.
    import torch

    torch.set_num_threads(settings.TORCH_NUM_THREADS)
