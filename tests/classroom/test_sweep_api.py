"""The sweeps API: instructors and content authors start and read their own sweeps; learners
get 403, another instructor's sweep is a 404, and every bad field is named in the one error
shape."""

import pytest
import yaml
from rest_framework.test import APIClient

from classroom.models import Sweep
from jobs.models import JobLimits, TrainingJob
from training_worker import runner


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def start(client, lab, grid=None, seeds=2):
    return client.post("/api/v1/sweeps/", {
        "lab": lab.pk, "grid": grid or {"optim.lr": [0.01, 0.1]}, "seeds": seeds,
    }, format="json")


def test_an_instructor_starts_a_sweep_and_reads_each_values_mean_and_std(instructor, tiny_lab):
    client = client_for(instructor)
    created = start(client, tiny_lab)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["progress"] == {"queued": 4, "running": 0, "succeeded": 0, "failed": 0,
                                "cancelled": 0, "total": 4}
    assert body["grid"] == {"optim.lr": [0.01, 0.1]} and body["seeds"] == [0, 1]
    assert body["page_url"].endswith(f"/sweeps/{body['id']}/")
    for job_id in body["points"][0]["jobs"]:
        runner.job_run(job_id=job_id)

    read = client.get(f"/api/v1/sweeps/{body['id']}/").json()

    low = read["points"][0]
    assert low["values"] == {"optim.lr": 0.01} and low["statuses"] == {"succeeded": 2}
    accuracies = [TrainingJob.objects.get(pk=i).result["val_accuracy"] for i in low["jobs"]]
    spread = low["metrics"]["val_accuracy"]
    assert spread["n"] == 2
    assert spread["mean"] == pytest.approx(sum(accuracies) / 2)
    assert spread["std"] == pytest.approx(abs(accuracies[0] - accuracies[1]) / 2 ** 0.5)
    assert read["points"][1]["metrics"]["val_accuracy"] == {"mean": None, "std": None, "n": 0}
    assert read["progress"]["succeeded"] == 2 and not read["finished"]
    assert [s["id"] for s in client.get("/api/v1/sweeps/").json()] == [body["id"]]


def test_a_content_author_may_sweep(author, tiny_lab):
    assert start(client_for(author), tiny_lab).status_code == 201


def test_learners_get_403_and_nothing_is_queued(learner, instructor, tiny_lab):
    mine = start(client_for(instructor), tiny_lab).json()
    client = client_for(learner)
    refused = start(client, tiny_lab)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert client.get("/api/v1/sweeps/").status_code == 403
    assert client.get(f"/api/v1/sweeps/{mine['id']}/").status_code == 403
    assert not TrainingJob.objects.filter(owner=learner).exists()
    assert APIClient().get("/api/v1/sweeps/").status_code in (401, 403)


def test_another_instructors_sweep_is_a_404(instructor, other_instructor, tiny_lab):
    theirs = start(client_for(other_instructor), tiny_lab).json()
    client = client_for(instructor)
    missing = client.get(f"/api/v1/sweeps/{theirs['id']}/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/sweeps/").json() == []


@pytest.mark.parametrize(("body", "field"), [
    ({"lab": 999999, "grid": {"optim.lr": [0.1]}, "seeds": 2}, "lab"),
    ({"grid": {"optim.lr": [0.1]}, "seeds": 2}, "lab"),
    ({"lab": "seven", "grid": {"optim.lr": [0.1]}, "seeds": 2}, "lab"),
    ({"lab": "LAB", "grid": {"optim.lr": [5]}, "seeds": 2}, "grid.optim.lr"),
    ({"lab": "LAB", "grid": {"optim.momentum": [0.5]}, "seeds": 2}, "grid.optim.momentum"),
    ({"lab": "LAB", "grid": ["optim.lr"], "seeds": 2}, "grid"),
    ({"lab": "LAB", "grid": {"optim.lr": [0.1]}, "seeds": -2}, "seeds"),
    ({"lab": "LAB", "grid": {"optim.lr": [0.1]}, "seeds": 2, "extra": 1}, "extra"),
])  # fmt: skip
def test_bad_fields_are_named_in_the_error_shape(instructor, tiny_lab, body, field):
    body = {k: tiny_lab.pk if v == "LAB" else v for k, v in body.items()}
    response = client_for(instructor).post("/api/v1/sweeps/", body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"], error
    assert not Sweep.objects.exists() and not TrainingJob.objects.exists()


def test_a_sweep_past_the_cap_is_a_400_and_past_the_allowance_a_429(instructor, tiny_lab):
    JobLimits.objects.update_or_create(pk=1, defaults={"max_sweep_runs": 6})
    client = client_for(instructor)
    too_big = start(client, tiny_lab, grid={"optim.lr": [0.01, 0.1]}, seeds=4)
    assert too_big.status_code == 400
    assert "at most 6 runs; 2 values × 4 seeds make 8" in too_big.json()["error"]["fields"]["grid"]
    assert start(client, tiny_lab, seeds=3).status_code == 201  # 6 runs queued
    waiting = start(client, tiny_lab, grid={"optim.lr": [0.2]}, seeds=1)
    assert waiting.status_code == 429
    assert waiting.json()["error"]["code"] == "limit_reached" and waiting["Retry-After"]


def test_the_sweeps_api_is_in_the_openapi_schema(db):
    schema = yaml.safe_load(APIClient().get("/api/v1/schema/").content)
    assert {"/api/v1/sweeps/", "/api/v1/sweeps/{sweep_id}/"} <= set(schema["paths"])
    create = schema["components"]["schemas"]["SweepCreate"]
    assert set(create["required"]) == {"lab", "grid", "seeds"}
    assert "points" in schema["components"]["schemas"]["Sweep"]["properties"]
