"""Which Celery queue a job goes to: jobs a GPU speeds up to GPU workers, the rest to CPU
workers.

A GPU pays off when each step is a lot of arithmetic: a step launches a few dozen kernels
whatever its size, so a small step (a moons MLP, or any model at batch 1) is no faster on a
GPU, only queued behind the jobs that are. A job goes to the GPU queue when its compute per
step, batch size × the forward pass's multiply-accumulates per sample, reaches
JOB_GPU_MIN_MACS_PER_STEP; how long the job runs does not decide it (a long run of small
steps is many small steps).

A deployment with GPUs sets DLP_GPU_QUEUE and runs one worker per GPU on that queue
(`celery -A dlplatform worker -Q gpu --concurrency 1` with DLP_TRAINING_DEVICE=cuda:N);
without it every job goes to DLP_JOB_QUEUE. CUDA is touched only inside those workers.
"""

from django.conf import settings

from engine import TrainConfig
from engine.budget import batch_size, forward_macs
from engine.config_rules import split_sizes


def macs_per_step(parsed: TrainConfig) -> int:
    """Multiply-accumulates of one step's forward pass: batch × per sample."""
    sizes = split_sizes(parsed.data, parsed.eval.cv_folds)
    return batch_size(parsed, sizes.train) * forward_macs(parsed.model, parsed.data)


def queue_for(parsed: TrainConfig) -> str:
    """The queue for an already validated config (no second parse on the submit path)."""
    if settings.JOB_GPU_QUEUE and macs_per_step(parsed) >= settings.JOB_GPU_MIN_MACS_PER_STEP:
        return settings.JOB_GPU_QUEUE
    return settings.JOB_QUEUE
