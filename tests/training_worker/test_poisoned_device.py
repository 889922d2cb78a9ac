"""A CUDA error that poisons a worker process's context (a device-side assert) ends its job
`failed` and retires that process, so the pool's next child starts with a clean context
instead of failing every later job. No GPU here: the engine's failure is raised for it."""

import os

import billiard
import pytest
import torch

from jobs import services
from jobs.models import JobStatus
from training_worker import device, runner


@pytest.mark.parametrize(
    ("error", "poisons"),
    [
        (torch.AcceleratorError("CUDA error: device-side assert triggered"), True),
        (RuntimeError("CUDA error: an illegal memory access was encountered"), True),
        (torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"), False),
        (RuntimeError("mat1 and mat2 shapes cannot be multiplied (4x3 and 2x8)"), False),
        (ValueError("CUDA error"), False),
    ],
)
def test_which_errors_poison_the_process(error, poisons):
    assert device.poisons_the_process(error) is poisons


@pytest.mark.django_db
def test_a_poisoned_gpu_fails_the_job_then_asks_for_a_new_process(user, moons_config, monkeypatch):
    def device_side_assert(*_args, **_kwargs):
        raise torch.AcceleratorError("CUDA error: device-side assert triggered")

    monkeypatch.setattr(runner, "train", device_side_assert)
    job = services.job_submit(user=user, config=moons_config)
    with pytest.raises(runner.DeviceUnusable):
        runner.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "GPU" in job.error and "device-side assert" in job.error
    # Delivered again (the retired process's message is requeued): nothing runs twice.
    runner.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


@pytest.mark.django_db
def test_an_ordinary_crash_keeps_the_process(user, moons_config, monkeypatch):
    def shape_bug(*_args, **_kwargs):
        raise RuntimeError("mat1 and mat2 shapes cannot be multiplied (4x3 and 2x8)")

    monkeypatch.setattr(runner, "train", shape_bug)
    job = services.job_submit(user=user, config=moons_config)
    runner.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("Training crashed: RuntimeError")


def _retire(_):
    raise SystemExit("retiring this worker process")


def _pid(_):
    return os.getpid()


def test_systemexit_from_a_task_retires_only_that_pool_child():
    """What tasks.run_training_job relies on: billiard (Celery's prefork pool) reports a
    task that raised SystemExit, retires its child and starts a fresh one."""
    pool = billiard.Pool(1)
    try:
        before = pool.apply_async(_pid, (None,)).get(timeout=30)
        with pytest.raises(SystemExit):
            pool.apply_async(_retire, (None,)).get(timeout=30)
        after = pool.apply_async(_pid, (None,)).get(timeout=30)
    finally:
        pool.terminate()
    assert after != before
