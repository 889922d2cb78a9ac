import pytest
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests.errors import api_error, error_fields
from tests.fixtures.accounts import PASSWORD, new_key


def login(**extra):
    return APIClient().post(
        "/api/v1/auth/token/", {"username": "ada", "password": PASSWORD, **extra}
    )


def client_with(key: str, keyword: str = "Token") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    return client


@pytest.mark.django_db
def test_token_for_right_password_authenticates_api_calls(user):
    response = login()
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"token", "id", "name", "prefix", "created"}
    assert body["token"].startswith("dlp_") and body["token"].startswith(body["prefix"])
    assert body["name"] == "cli"
    assert client_with(body["token"]).get("/api/v1/jobs/").status_code == 200


@pytest.mark.django_db
def test_each_login_makes_a_new_token_of_its_own(user):
    first, second = login().json(), login().json()
    assert first["token"] != second["token"]
    assert (first["name"], second["name"]) == ("cli", "cli-2")
    for body in (first, second):
        assert client_with(body["token"]).get("/api/v1/jobs/").status_code == 200


@pytest.mark.django_db
def test_login_may_name_its_token(user):
    assert login(name="laptop").json()["name"] == "laptop"
    again = login(name="laptop")
    assert again.status_code == 400
    assert "already have a token named" in error_fields(again)["name"]
    too_long = login(name="x" * 61)
    assert too_long.status_code == 400 and "name" in error_fields(too_long)
    assert ApiToken.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_wrong_password_gets_400_and_no_token(user):
    response = APIClient().post("/api/v1/auth/token/", {"username": "ada", "password": "nope"})
    assert response.status_code == 400
    assert "token" not in response.json()
    assert api_error(response)["code"] == "invalid"
    assert not ApiToken.objects.exists()


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
        ("get", "/api/v1/auth/tokens/"),
        ("delete", "/api/v1/auth/tokens/1/"),
    ],
)
def test_every_endpoint_refuses_anonymous_callers(method, path):
    response = getattr(APIClient(), method)(path)
    assert response.status_code == 401


@pytest.mark.django_db
def test_a_401_names_the_token_scheme():
    response = APIClient().get("/api/v1/jobs/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Token not-a-real-token", "Bearer dlp_nope", "Token",
                                    "Token a b"])
def test_bogus_token_is_refused(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/jobs/")
    assert response.status_code == 401
    assert api_error(response)["code"] == "authentication_failed"


@pytest.mark.django_db
def test_session_login_authenticates_the_api(client, user):
    client.login(username="ada", password=PASSWORD)
    assert client.get("/api/v1/jobs/").status_code == 200


@pytest.mark.django_db
def test_list_shows_my_active_tokens_and_never_a_key(user, other_user):
    mine = new_key(user, "laptop")
    old = ApiToken.objects.get(user=user)
    new_key(user, "ci")
    new_key(other_user, "theirs")
    client_with(mine).delete(f"/api/v1/auth/tokens/{old.pk}/")  # revoke the laptop one
    key = new_key(user, "desk")
    response = client_with(key).get("/api/v1/auth/tokens/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [t["name"] for t in results] == ["desk", "ci"]
    assert set(results[0]) == {"id", "name", "prefix", "created", "last_used_at", "expires_at"}
    assert key not in response.content.decode() and mine not in response.content.decode()
    assert results[0]["prefix"] == key[:12]


@pytest.mark.django_db
def test_revoke_my_token(user):
    keep, drop = new_key(user, "keep"), new_key(user, "drop")
    dropped = ApiToken.objects.get(name="drop")
    assert client_with(keep).delete(f"/api/v1/auth/tokens/{dropped.pk}/").status_code == 204
    assert client_with(drop).get("/api/v1/jobs/").status_code == 401
    assert client_with(keep).get("/api/v1/jobs/").status_code == 200
    again = client_with(keep).delete(f"/api/v1/auth/tokens/{dropped.pk}/")
    assert again.status_code == 404


@pytest.mark.django_db
def test_a_token_may_revoke_itself(user):
    key = new_key(user)
    token = ApiToken.objects.get(user=user)
    assert client_with(key).delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 204
    assert client_with(key).get("/api/v1/auth/tokens/").status_code == 401
