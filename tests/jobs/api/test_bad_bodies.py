"""Bodies built to hurt the server get an answer in the API's error shape, never a 500: a
JSON body nested thousands of levels deep (400 parse_error, before the parser recurses)
and a body over the size limit (413)."""

import io
import json

import pytest
from rest_framework.exceptions import ParseError
from rest_framework.test import APIClient

from deployments.models import DeployedModel
from dlplatform.parsers import MAX_JSON_DEPTH, BoundedJSONParser, PayloadTooLarge, nests_deeper_than
from jobs import services
from tests.errors import api_error

DEEP = 5000


def deep_body(field: str, levels: int = DEEP) -> str:
    return f'{{"{field}": {"[" * levels}1{"]" * levels}}}'


@pytest.fixture
def job(user, moons_config):
    return services.job_submit(user=user, config=moons_config)


def json_endpoints(job) -> list[tuple[str, str, str]]:
    """(method, path, a field of its body) of every endpoint that reads JSON. The body of
    predict and explain is read once the model is found: a deployment row is enough."""
    model = DeployedModel.objects.create(owner=job.owner, job=job, name="unread")
    return [
        ("post", "/api/v1/auth/token/", "username"),
        ("post", "/api/v1/jobs/", "config"),
        ("patch", f"/api/v1/jobs/{job.pk}/", "shared"),
        ("post", f"/api/v1/jobs/{job.pk}/deploy/", "name"),
        ("post", f"/api/v1/models/{model.pk}/predict/", "inputs"),
        ("post", f"/api/v1/models/{model.pk}/explain/", "inputs"),
    ]


@pytest.mark.django_db
def test_a_deeply_nested_body_is_a_400_parse_error_on_every_json_endpoint(api, job):
    for method, path, field in json_endpoints(job):
        client = APIClient() if "auth/token" in path else api
        response = getattr(client, method)(path, deep_body(field),
                                           content_type="application/json")
        assert response.status_code == 400, (path, response.status_code)
        error = api_error(response)
        assert error["code"] == "parse_error", (path, error)
        assert f"{MAX_JSON_DEPTH} levels" in error["message"]


@pytest.mark.django_db
def test_brackets_inside_strings_do_not_count(api):
    name = '\\"' + "[" * DEEP  # an escaped quote, then brackets, all in one string
    response = api.post("/api/v1/jobs/", json.dumps({"config": {"name": name}}),
                        content_type="application/json")
    assert response.status_code == 400
    assert api_error(response)["code"] == "invalid"  # read, then refused as a config


@pytest.mark.parametrize(("body", "deeper_than_2"), [
    (b'[[1]]', False),
    (b'[[[1]]]', True),
    (b'{"a": {"b": {"c": 1}}}', True),
    (b'[[], [], [], [], []]', False),
    (b'["[[[[", "{{{{"]', False),
    (b'["\\"[[[[", 1]', False),          # an escaped quote does not end the string
    (b'["\\\\", [[1]]]', True),          # an escaped backslash does not escape the quote
    (b'["\\\\\\"[[[", 1]', False),      # \\ then \" : still inside the string
    (b'"[[[[[["', False),
])
def test_nesting_is_measured_outside_strings(body, deeper_than_2):
    assert nests_deeper_than(body, 2) is deeper_than_2
    depth = json.loads(body)  # the same answer as a real parse
    assert deeper_than_2 == (_depth(depth) > 2)


def _depth(value) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(item) for item in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(item) for item in value.values()), default=0)
    return 0


def test_the_parser_refuses_a_long_body_sent_without_a_length(settings):
    """The middleware refuses by Content-Length; a chunked body has none, so the parser
    stops reading one byte past the limit."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    stream = io.BytesIO(b'{"a": "' + b"x" * 5000 + b'"}')
    with pytest.raises(PayloadTooLarge):
        BoundedJSONParser().parse(stream)
    assert stream.tell() == 1001


def test_the_parser_refuses_what_json_refuses():
    with pytest.raises(ParseError):
        BoundedJSONParser().parse(io.BytesIO(b'{"a": NaN}'))


@pytest.mark.django_db
def test_a_body_over_the_limit_is_a_413_in_the_error_shape(api, settings):
    too_big = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    body = json.dumps({"config": {"pad": "x" * too_big}})
    response = api.post("/api/v1/jobs/", body, content_type="application/json")
    assert response.status_code == 413
    assert api_error(response)["code"] == "payload_too_large"
    form = APIClient().post("/api/v1/auth/token/", {"username": "x" * too_big, "password": "p"})
    assert form.status_code == 413
    assert api_error(form)["code"] == "payload_too_large"
