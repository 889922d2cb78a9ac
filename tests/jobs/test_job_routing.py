import copy

import pytest

from engine import parse_config
from jobs.routing import macs_per_step, queue_for


@pytest.fixture
def long_small_steps(moons_config):
    """Long, but every step is tiny: no faster on a GPU (the old router sent it there)."""
    config = copy.deepcopy(moons_config)
    config["data"].update(name="digits", n_samples=1797)
    config["model"].update(hidden=[256, 256])
    config["optim"].update(batch_size=1, epochs=10)
    return parse_config(config)


@pytest.fixture
def big_steps():
    """A CNN on 28x28 shapes at batch 64: tens of millions of multiply-adds a step."""
    return parse_config({
        "model": {"kind": "cnn", "channels": [16, 32]},
        "data": {"name": "shapes", "n_samples": 2000},
        "optim": {"name": "adam", "lr": 0.001, "batch_size": 64, "epochs": 3},
    })


def test_without_gpu_workers_every_job_goes_to_the_job_queue(settings, moons_config,
                                                             long_small_steps, big_steps):
    settings.JOB_GPU_QUEUE = ""
    for config in (parse_config(moons_config), long_small_steps, big_steps):
        assert queue_for(config) == settings.JOB_QUEUE


def test_with_gpu_workers_only_jobs_with_big_steps_go_to_them(settings, moons_config,
                                                               long_small_steps, big_steps):
    settings.JOB_GPU_QUEUE = "gpu"
    assert queue_for(parse_config(moons_config)) == settings.JOB_QUEUE
    assert queue_for(long_small_steps) == settings.JOB_QUEUE
    assert queue_for(big_steps) == "gpu"


def test_compute_per_step_is_batch_times_the_forward_pass(moons_config):
    config = copy.deepcopy(moons_config)  # 2 -> 16 -> 16 -> 2
    per_sample = 2 * 16 + 16 * 16 + 16 * 2
    assert macs_per_step(parse_config(config)) == 32 * per_sample
    config["optim"]["batch_size"] = "full"  # 400 training points
    assert macs_per_step(parse_config(config)) == 400 * per_sample
