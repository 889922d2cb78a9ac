import copy

import pytest

from training_worker.engine import parse_config
from training_worker.routing import queue_for


@pytest.fixture
def big_config(moons_config):
    config = copy.deepcopy(moons_config)
    config["data"].update(name="digits", n_samples=1797)
    config["model"].update(hidden=[256, 256])
    config["optim"].update(batch_size=1, epochs=10)
    return parse_config(config)


def test_without_gpu_workers_every_job_goes_to_the_job_queue(settings, moons_config, big_config):
    settings.JOB_GPU_QUEUE = ""
    assert queue_for(parse_config(moons_config)) == queue_for(big_config) == settings.JOB_QUEUE


def test_with_gpu_workers_only_large_jobs_go_to_them(settings, moons_config, big_config):
    settings.JOB_GPU_QUEUE = "gpu"
    settings.JOB_GPU_MIN_SECONDS = 5
    assert queue_for(parse_config(moons_config)) == settings.JOB_QUEUE
    assert queue_for(big_config) == "gpu"
