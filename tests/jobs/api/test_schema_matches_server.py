"""The schema says what the server does: each bound it declares is the one the server
enforces (schemathesis checks the same on a live server, tests/fuzz; these say it alone)."""

import pytest
import yaml
from asgiref.sync import async_to_sync
from django.test import AsyncClient
from rest_framework.test import APIClient

from jobs import services
from tests.errors import api_error


@pytest.fixture
def schema(db) -> dict:
    return yaml.safe_load(APIClient().get("/api/v1/schema/").content)


@pytest.fixture
def job(user, moons_config):
    return services.job_submit(user=user, config=moons_config)


def parameter(schema, path: str, name: str, method: str = "get") -> dict:
    (found,) = [p for p in schema["paths"][path][method]["parameters"] if p["name"] == name]
    return found["schema"]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "name"), [
    ("/api/v1/jobs/", "limit"), ("/api/v1/jobs/", "offset"),
    ("/api/v1/auth/tokens/", "limit"), ("/api/v1/jobs/{job_id}/metrics/", "after"),
])
def test_negative_numbers_are_refused_as_the_schema_says(schema, api, job, path, name):
    assert parameter(schema, path, name) == {"type": "integer", "minimum": 0}
    url = path.replace("{job_id}", str(job.pk))
    assert api.get(url, {name: 0}).status_code == 200
    for refused in ("-1", "²", "1.5"):  # '²' passes str.isdigit(), then int() fails
        response = api.get(url, {name: refused})
        assert response.status_code == 400, (refused, response.content)
        assert name in api_error(response)["fields"]


def stream_status(path: str, **headers) -> int:
    async def get():
        return (await AsyncClient().get(path, headers=headers)).status_code

    return async_to_sync(get)()


@pytest.mark.django_db(transaction=True)
def test_the_streams_last_event_id_is_bounded_as_declared(user, moons_config, schema):
    from tests.fixtures.accounts import new_key

    path = "/api/v1/jobs/{job_id}/events/"
    assert parameter(schema, path, "Last-Event-ID")["minimum"] == 0
    assert parameter(schema, path, "last_event_id")["minimum"] == 0
    job = services.job_submit(user=user, config=moons_config)
    services.job_cancel(job=job)  # ended: a stream from the last id is a 204 at once
    auth = {"Authorization": f"Token {new_key(user)}"}
    url = f"/api/v1/jobs/{job.pk}/events/"
    assert stream_status(url, **auth, **{"Last-Event-ID": "2"}) == 204
    for refused in ("-1", "²"):
        assert stream_status(url, **auth, **{"Last-Event-ID": refused}) == 400


def test_the_event_stream_is_declared_event_by_event(schema):
    content = schema["paths"]["/api/v1/jobs/{job_id}/events/"]["get"]["responses"]["200"]
    event = content["content"]["text/event-stream"]["schema"]
    assert event["type"] == "object" and set(event["required"]) == {"id", "event", "data"}


@pytest.mark.django_db
def test_sharing_requires_shared_as_the_schema_says(schema, api, job):
    assert schema["components"]["schemas"]["JobShare"]["required"] == ["shared"]
    assert api.patch(f"/api/v1/jobs/{job.pk}/", {}, format="json").status_code == 400


def test_predict_inputs_are_declared_as_batches_of_float32_numbers(schema):
    from deployments.checks import FLOAT32_MAX, MAX_BATCH

    inputs = schema["components"]["schemas"]["Predict"]["properties"]["inputs"]
    assert inputs["type"] == "array" and inputs["maxItems"] == MAX_BATCH
    numbers = inputs["items"]["anyOf"][0]
    assert numbers["items"] == {"type": "number", "minimum": -FLOAT32_MAX,
                                "maximum": FLOAT32_MAX}
    explain = schema["components"]["schemas"]["Explain"]["properties"]["inputs"]
    assert explain["maxItems"] == 20


@pytest.mark.django_db
def test_pages_refuse_unicode_digits_without_a_500(client, user):
    client.force_login(user)
    assert client.get("/runs/", {"lab": "²"}).status_code == 200
    assert client.get("/runs/compare/", {"ids": ["²", "³"]}).status_code == 302
