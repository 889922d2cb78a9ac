import pytest
import yaml
from rest_framework.test import APIClient

from engine import CONFIG_FIELDS


@pytest.fixture
def schema(db) -> dict:
    response = APIClient().get("/api/v1/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_every_endpoint_is_documented(schema):
    assert schema["openapi"] == "3.1.0"
    assert {
        "/api/v1/auth/token/", "/api/v1/jobs/", "/api/v1/jobs/{job_id}/",
        "/api/v1/jobs/{job_id}/cancel/",
        "/api/v1/jobs/{job_id}/metrics/", "/api/v1/jobs/{job_id}/events/",
    } <= set(schema["paths"])
    stream = schema["paths"]["/api/v1/jobs/{job_id}/events/"]["get"]
    assert "text/event-stream" in stream["responses"]["200"]["content"]


def test_the_config_schema_documents_every_field_and_bound(schema):
    config = schema["components"]["schemas"]["TrainConfig"]
    submit = schema["components"]["schemas"]["JobSubmit"]
    assert submit["properties"]["config"]["allOf"] == [{"$ref": "#/components/schemas/TrainConfig"}]
    for path in CONFIG_FIELDS:
        section, field = path.split(".")
        assert field in config["properties"][section]["properties"], path
    lr = config["properties"]["optim"]["properties"]["lr"]
    assert lr.get("exclusiveMinimum") == 0 and lr.get("maximum") == 10


def test_each_config_field_is_documented_with_its_human_label(schema):
    config = schema["components"]["schemas"]["TrainConfig"]
    for path, spec in CONFIG_FIELDS.items():
        section, field = path.split(".")
        assert config["properties"][section]["properties"][field]["title"] == spec.label, path


def test_the_docs_page_is_served_from_our_own_static_files(client, db):
    html = client.get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
