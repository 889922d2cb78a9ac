"""Deployed models of small, fast runs, trained in-process as tests/jobs does."""

import pytest

from deployments import serving
from jobs import services
from jobs.models import JobStatus
from training_worker import runner

DIGITS_CONFIG = {
    "model": {"kind": "mlp", "hidden": [32], "activation": "relu"},
    "data": {"name": "digits", "n_samples": 600, "val_fraction": 0.2, "seed": 0},
    "optim": {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": 8},
}


@pytest.fixture(autouse=True)
def _cold_cache():
    serving.model_cache.clear()
    yield
    serving.model_cache.clear()


@pytest.fixture
def train(user, settings, tmp_path):
    """Run a job to the end in this process; returns the succeeded job."""
    settings.MEDIA_ROOT = tmp_path

    def run(config: dict, owner=None):
        job = services.job_submit(user=owner or user, config=config)
        runner.job_run(job_id=job.pk)
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED, job.error
        return job

    return run


@pytest.fixture
def digits_config() -> dict:
    return DIGITS_CONFIG


@pytest.fixture
def moons_model(api, train, moons_config) -> dict:
    """The deploy response of a moons MLP."""
    job = train(moons_config)
    response = api.post(f"/api/v1/jobs/{job.pk}/deploy/", {"name": "moons"}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def digits_model(api, train, digits_config) -> dict:
    job = train(digits_config)
    response = api.post(f"/api/v1/jobs/{job.pk}/deploy/", {}, format="json")
    assert response.status_code == 201, response.content
    return response.json()
