import pytest
from rest_framework.test import APIClient

from tests.fixtures.accounts import PASSWORD


@pytest.mark.django_db
def test_token_for_right_password_authenticates_api_calls(user):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/jobs/").status_code == 200


@pytest.mark.django_db
def test_wrong_password_gets_400_and_no_token(user):
    response = APIClient().post("/api/v1/auth/token/", {"username": "ada", "password": "nope"})
    assert response.status_code == 400
    assert "token" not in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/jobs/"),
        ("post", "/api/v1/jobs/"),
        ("get", "/api/v1/jobs/1/"),
        ("post", "/api/v1/jobs/1/cancel/"),
        ("get", "/api/v1/jobs/1/metrics/"),
        ("get", "/api/v1/jobs/1/events/"),
    ],
)
def test_every_endpoint_refuses_anonymous_callers(method, path):
    response = getattr(APIClient(), method)(path)
    assert response.status_code == 401


@pytest.mark.django_db
def test_bogus_token_is_refused():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/jobs/").status_code == 401


@pytest.mark.django_db
def test_session_login_authenticates_the_api(client, user):
    client.login(username="ada", password=PASSWORD)
    assert client.get("/api/v1/jobs/").status_code == 200
