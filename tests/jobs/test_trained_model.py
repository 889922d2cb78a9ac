"""A succeeded job's model is stored, downloadable by its owner only, and reproduces the
validation accuracy the run reported."""

import io

import pytest
import torch

from engine import parse_config
from engine.datasets import load_dataset
from engine.models import build_model
from jobs import services
from jobs.models import JobStatus, TrainedModel
from training_worker import runner


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
    # Stored with the normalization its inputs went through, so deploying it draws nothing.
    assert stored.normalization == data.normalization.as_dict()
    assert len(stored.normalization["shift"]) == 2


@pytest.mark.django_db
def test_someone_elses_model_is_404(client, other_user, finished_job):
    client.force_login(other_user)
    assert client.get(f"/api/v1/jobs/{finished_job.pk}/model/").status_code == 404


@pytest.mark.django_db
def test_a_job_without_a_model_is_404(api, user, moons_config):
    job = services.job_submit(user=user, config=moons_config)
    assert api.get(f"/api/v1/jobs/{job.pk}/model/").status_code == 404


def downloaded_model(api, job):
    response = api.get(f"/api/v1/jobs/{job.pk}/model/")
    saved = torch.load(io.BytesIO(b"".join(response.streaming_content)), weights_only=True)
    config = parse_config(saved["config"])
    model = build_model(config.model, config.data)
    model.load_state_dict(saved["state_dict"])
    return model.eval(), config


@pytest.mark.django_db
def test_with_restore_best_the_stored_model_is_the_lowest_validation_loss_epochs(
    api, user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    config = {  # a wide MLP on 100 noisy points: its validation loss soon turns up
        "model": {"kind": "mlp", "hidden": [256, 256]},
        "data": {"name": "moons", "n_samples": 1000, "noise": 0.3, "train_size": 100},
        "optim": {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": 200,
                  "early_stopping_patience": 5, "restore_best": True},
    }
    job = services.job_submit(user=user, config=config)
    runner.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    epochs = [event.payload for event in job.events.filter(type="metric")
              if event.payload["scope"] == "epoch"]
    lowest = min(epochs, key=lambda payload: payload["val_loss"])
    assert lowest["epoch"] < job.result["epochs_completed"]
    assert job.result["weights_epoch"] == lowest["epoch"]
    assert job.result["val_loss"] == pytest.approx(lowest["val_loss"], rel=1e-6)

    model, parsed = downloaded_model(api, job)
    data = load_dataset(parsed.data)
    with torch.no_grad():
        val_loss = torch.nn.functional.cross_entropy(model(data.x_val), data.y_val).item()
    assert val_loss == pytest.approx(lowest["val_loss"], rel=1e-5)
