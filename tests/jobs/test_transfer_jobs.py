"""Transfer-learning jobs on the platform: which bases a learner may start from, the 400s
that name what is wrong, and a run that really starts from the stored base weights."""

import io

import pytest
import torch
from django.core.management import call_command

from deployments import deploy
from engine.transfer import hidden_blocks
from jobs import services
from jobs.models import JobStatus, StandardBase
from tests.errors import error_fields
from training_worker import runner

BASE = {
    "model": {"kind": "mlp", "hidden": [32, 16], "activation": "relu"},
    "data": {"name": "digits_0_4", "n_samples": 400, "val_fraction": 0.25, "seed": 0},
    "optim": {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": 4},
}


def new_task(transfer: dict, **model) -> dict:
    config = {
        "data": {"name": "digits_5_9", "n_samples": 300, "val_fraction": 0.3,
                 "train_size": 30, "seed": 0},
        "optim": {"name": "adam", "lr": 0.01, "batch_size": 10, "epochs": 3},
        "transfer": transfer,
    }
    if model:
        config["model"] = {**BASE["model"], **model}
    return config


@pytest.fixture
def run(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def run_job(job):
        runner.job_run(job_id=job.pk)
        job.refresh_from_db()
        return job

    return run_job


@pytest.fixture
def base_job(user, run):
    job = run(services.job_submit(user=user, config=BASE))
    assert job.status == JobStatus.SUCCEEDED, job.error
    return job


def stored_state(api, job) -> dict:
    response = api.get(f"/api/v1/jobs/{job.pk}/model/")
    return torch.load(io.BytesIO(b"".join(response.streaming_content)),
                      weights_only=True)["state_dict"]


@pytest.mark.django_db
def test_a_job_starts_from_its_base_and_keeps_the_frozen_layer(api, base_job, run):
    response = api.post("/api/v1/jobs/", {"config": new_task(
        {"base_job": base_job.pk, "freeze": 1}
    )}, format="json")
    assert response.status_code == 201, response.json()
    job = run(services_job(response))
    assert job.status == JobStatus.SUCCEEDED, job.error
    # The model section was left out: the job took the base's.
    assert job.config["model"]["hidden"] == BASE["model"]["hidden"]
    assert job.config["transfer"] == {"base_job": base_job.pk, "base_name": "none", "freeze": 1}
    ours, theirs = stored_state(api, job), stored_state(api, base_job)
    assert torch.equal(ours["0.weight"], theirs["0.weight"])  # frozen: the base's weights
    assert not torch.equal(ours["2.weight"], theirs["2.weight"])  # fine-tuned
    info = job.events.get(type="info").payload
    assert info["transfer"]["base"] == f"job {base_job.pk}"
    assert info["transfer"]["layers_frozen"] == 1


def services_job(response):
    from jobs.models import TrainingJob

    return TrainingJob.objects.get(pk=response.json()["id"])


@pytest.mark.django_db
def test_another_learners_job_cannot_be_a_base(api, other_user, run):
    theirs = run(services.job_submit(user=other_user, config=BASE))
    response = api.post("/api/v1/jobs/", {"config": new_task({"base_job": theirs.pk})},
                        format="json")
    assert response.status_code == 400
    assert "no job" in error_fields(response)["config.transfer.base_job"]


@pytest.mark.django_db
def test_a_job_that_has_not_succeeded_cannot_be_a_base(api, user):
    queued = services.job_submit(user=user, config=BASE)
    response = api.post("/api/v1/jobs/", {"config": new_task({"base_job": queued.pk})},
                        format="json")
    assert response.status_code == 400
    assert "only a succeeded job" in error_fields(response)["config.transfer.base_job"]


@pytest.mark.django_db
def test_a_model_that_does_not_fit_the_base_is_400_naming_the_field(api, base_job):
    response = api.post("/api/v1/jobs/", {"config": new_task(
        {"base_job": base_job.pk}, hidden=[64]
    )}, format="json")
    assert response.status_code == 400
    assert "must be the base's ([32, 16])" in error_fields(response)["config.model.hidden"]


@pytest.mark.django_db
def test_a_standard_base_that_is_not_built_is_400_saying_how_to_build_it(api):
    response = api.post("/api/v1/jobs/", {"config": new_task({"base_name": "digits-0-4-mlp"})},
                        format="json")
    assert response.status_code == 400
    assert "build_base_models" in error_fields(response)["config.transfer.base_name"]


@pytest.mark.django_db
def test_a_deployed_models_job_is_a_base(api, user, base_job, run):
    deployed = deploy.model_deploy(user=user, job=base_job, name="my digits 0-4")
    response = api.post("/api/v1/jobs/", {"config": new_task(
        {"base_job": deployed.job_id, "freeze": "all"}
    )}, format="json")
    assert response.status_code == 201, response.json()
    assert run(services_job(response)).status == JobStatus.SUCCEEDED


@pytest.mark.django_db
def test_build_base_models_trains_named_bases_once(api, user, settings, tmp_path, run):
    settings.MEDIA_ROOT = tmp_path
    call_command("build_base_models", "digits-0-4-mlp")
    standard = StandardBase.objects.get(name="digits-0-4-mlp")
    assert standard.job.status == JobStatus.SUCCEEDED
    assert standard.job.result["val_accuracy"] > 0.95
    call_command("build_base_models", "digits-0-4-mlp")  # idempotent: nothing retrained
    assert StandardBase.objects.get().job_id == standard.job_id
    # A base stored before the engine gained a field (model.layer_norm) is the same base.
    del standard.job.config["model"]["layer_norm"]
    standard.job.save(update_fields=["config"])
    call_command("build_base_models", "digits-0-4-mlp")
    assert StandardBase.objects.get().job_id == standard.job_id

    response = api.post("/api/v1/jobs/", {"config": new_task(
        {"base_name": "digits-0-4-mlp", "freeze": "all"}
    )}, format="json")
    assert response.status_code == 201, response.json()
    job = run(services_job(response))
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.config["model"]["hidden"] == [64, 32]
    base_state = stored_state_of(standard.job)
    from engine import parse_config
    from engine.models import build_model

    net = build_model(parse_config(job.config).model, parse_config(job.config).data)
    net.load_state_dict(stored_state_of(job))
    base_net = build_model(parse_config(standard.job.config).model,
                           parse_config(standard.job.config).data)
    base_net.load_state_dict(base_state)
    for ours, theirs in zip(hidden_blocks(net), hidden_blocks(base_net), strict=True):
        assert torch.equal(ours[0].weight, theirs[0].weight)


def stored_state_of(job) -> dict:
    with job.model.file.open("rb") as file:
        return torch.load(io.BytesIO(file.read()), weights_only=True)["state_dict"]


@pytest.mark.django_db
def test_a_base_deleted_before_the_job_runs_fails_it_with_the_reason(api, base_job, run):
    response = api.post("/api/v1/jobs/", {"config": new_task({"base_job": base_job.pk})},
                        format="json")
    job = services_job(response)
    base_job.model.delete()
    job = run(job)
    assert job.status == JobStatus.FAILED
    assert "no longer available" in job.error


@pytest.mark.django_db
def test_a_base_job_written_as_a_float_is_checked_like_an_integer(api, other_user, run):
    theirs = run(services.job_submit(user=other_user, config=BASE))
    response = api.post("/api/v1/jobs/", {"config": new_task(
        {"base_job": float(theirs.pk), "freeze": "all"}, hidden=[32, 16]
    )}, format="json")
    assert response.status_code == 400
    assert "no job" in error_fields(response)["config.transfer.base_job"]


@pytest.mark.django_db
def test_the_worker_refuses_a_base_of_another_learner_however_the_job_got_in(
    user, other_user, run
):
    from jobs.models import TrainingJob

    theirs = run(services.job_submit(user=other_user, config=BASE))
    mine = services.job_submit(user=user, config=BASE)
    # A row written past the API's checks (say, by an older version) names their job.
    config = {**mine.config, "transfer": {"base_job": theirs.pk, "base_name": "none",
                                          "freeze": 0}}
    TrainingJob.objects.filter(pk=mine.pk).update(config=config)
    job = run(mine)
    assert job.status == JobStatus.FAILED and "no longer available" in job.error


@pytest.mark.django_db
def test_gradient_norms_leave_out_frozen_layers(api, base_job, run):
    task = new_task({"base_job": base_job.pk, "freeze": 1})
    task["optim"]["log_grad_norms"] = True
    response = api.post("/api/v1/jobs/", {"config": task}, format="json")
    job = run(services_job(response))
    assert job.status == JobStatus.SUCCEEDED, job.error
    norms = job.events.filter(type="gradient_norms").first().payload
    assert norms["layers"] == ["linear2", "linear3"]
