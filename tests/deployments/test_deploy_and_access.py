"""Deploying is for the owner of a succeeded job; another user's model is a 404 everywhere."""

import pytest

from deployments.models import DeployedModel
from jobs import services
from tests.errors import api_error, error_message


@pytest.mark.django_db
def test_deploy_returns_the_model_with_its_urls(api, user, moons_model):
    assert moons_model["name"] == "moons" and moons_model["dataset"] == "moons"
    assert moons_model["prediction_count"] == 0 and moons_model["mean_latency_ms"] is None
    assert moons_model["urls"]["predict"].endswith(f"/api/v1/models/{moons_model['id']}/predict/")
    deployed = DeployedModel.objects.get(pk=moons_model["id"])
    assert deployed.owner == user and len(deployed.preprocessing["shift"]) == 2
    listed = api.get("/api/v1/models/").json()
    assert [m["id"] for m in listed] == [moons_model["id"]]


@pytest.mark.django_db
def test_a_job_without_a_model_is_409(api, user, moons_config):
    job = services.job_submit(user=user, config=moons_config)  # queued, never run
    response = api.post(f"/api/v1/jobs/{job.pk}/deploy/", {}, format="json")
    assert response.status_code == 409
    assert api_error(response)["code"] == "conflict"
    assert "succeeded" in api_error(response)["message"]


@pytest.mark.django_db
def test_someone_elses_job_cannot_be_deployed(client, other_user, train, moons_config):
    job = train(moons_config)
    client.force_login(other_user)
    assert client.post(f"/api/v1/jobs/{job.pk}/deploy/").status_code == 404
    assert not DeployedModel.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["", "predict/", "export/torchscript", "export/onnx"])
def test_someone_elses_model_is_404(client, other_user, moons_model, suffix):
    client.force_login(other_user)
    url = f"/api/v1/models/{moons_model['id']}/{suffix}"
    if suffix == "predict/":
        response = client.post(url, {"inputs": [[0, 0]]}, content_type="application/json")
    else:
        response = client.get(url)
    assert response.status_code == 404
    assert client.get("/api/v1/models/").json() == []
    assert DeployedModel.objects.get(pk=moons_model["id"]).prediction_count == 0


@pytest.mark.django_db
def test_anonymous_callers_are_refused(moons_model):
    from rest_framework.test import APIClient

    response = APIClient().post(moons_model["urls"]["predict"], {"inputs": [[0, 0]]},
                                format="json")
    assert response.status_code == 401


@pytest.mark.django_db
def test_a_model_that_makes_no_predictions_is_409(api, user):
    from jobs.models import JobStatus, TrainedModel, TrainingJob

    config = {"model": {"kind": "autoencoder"}, "data": {"name": "digits"}}
    job = TrainingJob.objects.create(owner=user, config=config, status=JobStatus.SUCCEEDED)
    TrainedModel.objects.create(job=job, file="models/job-x.pt", size_bytes=1, n_params=1)
    response = api.post(f"/api/v1/jobs/{job.pk}/deploy/", {}, format="json")
    assert response.status_code == 409 and "autoencoder" in error_message(response)
