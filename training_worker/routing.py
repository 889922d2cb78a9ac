"""Which Celery queue a job goes to: small jobs to CPU workers, large ones to GPU workers.

A deployment with GPUs sets DLP_GPU_QUEUE and runs one worker per GPU on that queue
(`celery -A dlplatform worker -Q gpu --concurrency 1` with DLP_TRAINING_DEVICE=cuda:N);
without it every job goes to DLP_JOB_QUEUE. CUDA is touched only inside those workers.
"""

from django.conf import settings

from training_worker.engine import TrainConfig
from training_worker.engine.budget import estimate_seconds
from training_worker.engine.config_rules import split_sizes


def queue_for(parsed: TrainConfig) -> str:
    """The queue for an already validated config (no second parse on the submit path)."""
    if not settings.JOB_GPU_QUEUE:
        return settings.JOB_QUEUE
    sizes = split_sizes(parsed.data, parsed.eval.cv_folds)
    seconds = estimate_seconds(parsed, sizes.train, sizes.val)
    return settings.JOB_GPU_QUEUE if seconds >= settings.JOB_GPU_MIN_SECONDS else settings.JOB_QUEUE
