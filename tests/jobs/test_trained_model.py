"""A succeeded job's model is stored, downloadable by its owner only, and reproduces the
validation accuracy the run reported."""

import io

import pytest
import torch

from training_worker import runner, services
from training_worker.engine import build_model, load_dataset, parse_config
from training_worker.models import JobStatus, TrainedModel


@pytest.fixture
def finished_job(user, moons_config, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = services.job_submit(user=user, config=moons_config)
    runner.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    return job


@pytest.mark.django_db
def test_the_downloaded_model_reproduces_the_reported_accuracy(api, finished_job):
    response = api.get(f"/api/v1/jobs/{finished_job.pk}/model/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    saved = torch.load(io.BytesIO(b"".join(response.streaming_content)), weights_only=True)
    assert saved["format"] == 1 and saved["config"] == finished_job.config

    config = parse_config(saved["config"])
    model = build_model(config.model, config.data)
    model.load_state_dict(saved["state_dict"])
    model.eval()
    data = load_dataset(config.data)
    with torch.no_grad():
        predicted = model(data.x_val).argmax(dim=1)
    accuracy = (predicted == data.y_val).sum().item() / len(data.y_val)
    assert accuracy == pytest.approx(finished_job.result["val_accuracy"], abs=1e-9)
    stored = TrainedModel.objects.get(job=finished_job)
    assert stored.n_params == finished_job.result["n_params"]


@pytest.mark.django_db
def test_someone_elses_model_is_404(client, other_user, finished_job):
    client.force_login(other_user)
    assert client.get(f"/api/v1/jobs/{finished_job.pk}/model/").status_code == 404


@pytest.mark.django_db
def test_a_job_without_a_model_is_404(api, user, moons_config):
    job = services.job_submit(user=user, config=moons_config)
    assert api.get(f"/api/v1/jobs/{job.pk}/model/").status_code == 404
