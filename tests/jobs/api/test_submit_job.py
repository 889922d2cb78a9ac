import copy

import pytest

from jobs.models import JobEvent, JobStatus, TrainingJob
from tests.errors import api_error, error_fields, error_message


@pytest.mark.django_db
def test_submit_valid_config_creates_queued_job_with_urls(api, user, moons_config):
    response = api.post("/api/v1/jobs/", {"config": moons_config}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    job = TrainingJob.objects.get(pk=body["id"])
    assert job.owner == user
    assert body["status"] == JobStatus.QUEUED
    assert body["config"]["optim"]["lr"] == 0.01
    assert body["config"]["optim"]["momentum"] == 0.9  # defaults filled in, stored normalized
    assert body["urls"]["events"].endswith(f"/api/v1/jobs/{job.pk}/events/")
    assert response["Location"] == body["urls"]["self"]
    first = JobEvent.objects.get(job=job, seq=1)
    assert (first.type, first.payload) == ("status", {"status": "queued"})


def _with(config: dict, section: str, key: str, value) -> dict:
    changed = copy.deepcopy(config)
    changed[section][key] = value
    return changed


@pytest.mark.django_db
@pytest.mark.parametrize(
    "section, key, value, field",
    [
        ("optim", "lr", 50, "optim.lr"),
        ("optim", "lr", 0, "optim.lr"),
        ("optim", "lr", "0.01", "optim.lr"),
        ("optim", "epochs", 10_000, "optim.epochs"),
        ("optim", "epochs", True, "optim.epochs"),
        ("optim", "batch_size", 0, "optim.batch_size"),
        ("optim", "name", "lbfgs", "optim.name"),
        ("model", "hidden", [16] * 50, "model.hidden"),
        ("model", "activation", "swish", "model.activation"),
        ("model", "kind", "diffusion", "model.kind"),
        ("data", "name", "imagenet", "data.name"),
        ("data", "n_samples", 10**9, "data.n_samples"),
        ("data", "val_fraction", 0.9, "data.val_fraction"),
        ("data", "depth", 3, "data.depth"),
        ("optim", "restore_best", True, "optim.restore_best"),  # without early stopping
        ("optim", "restore_best", "yes", "optim.restore_best"),
        ("optim", "warmup_epochs", 20, "optim.warmup_epochs"),  # not below optim.epochs (20)
    ],
)
def test_bad_config_field_gets_400_naming_the_field(api, moons_config, section, key, value, field):
    config = _with(moons_config, section, key, value)
    response = api.post("/api/v1/jobs/", {"config": config}, format="json")
    assert response.status_code == 400
    errors = error_fields(response)
    assert f"config.{field}" in errors, errors
    assert f"config.{field}" in error_message(response)
    assert not TrainingJob.objects.exists()


@pytest.mark.django_db
def test_every_bad_field_is_reported_at_once(api, moons_config):
    config = _with(_with(moons_config, "optim", "lr", -1), "data", "noise", 99)
    errors = error_fields(api.post("/api/v1/jobs/", {"config": config}, format="json"))
    assert {"config.optim.lr", "config.data.noise"} <= set(errors)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "config"),
        ({"config": "moons please"}, "config"),
        ({"config": [1, 2]}, "config"),
        ({"config": {}}, "config"),
    ],
)
def test_malformed_body_gets_400(api, body, field):
    response = api.post("/api/v1/jobs/", body, format="json")
    assert response.status_code == 400
    paths = error_fields(response)
    assert any(path == field or path.startswith(f"{field}.") for path in paths), paths


@pytest.mark.django_db
def test_unknown_top_level_field_is_refused(api, moons_config):
    response = api.post("/api/v1/jobs/", {"config": moons_config, "priority": 9}, format="json")
    assert response.status_code == 400
    assert error_fields(response) == {"priority": "Unknown field."}


@pytest.mark.django_db
def test_invalid_json_gets_400_not_500(api):
    response = api.post("/api/v1/jobs/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert api_error(response)["code"] == "parse_error"


@pytest.mark.django_db
def test_unknown_lab_gets_400(api, moons_config):
    response = api.post("/api/v1/jobs/", {"config": moons_config, "lab": 999999}, format="json")
    assert response.status_code == 400
    assert "lab" in error_fields(response)
