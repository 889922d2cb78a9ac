import time

import pytest
from rest_framework.test import APIClient

from accounts.login_throttle import AccountLocked
from tests.errors import api_error
from tests.fixtures.accounts import PASSWORD


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_login_for_a_while(client, user, settings):
    for _ in range(settings.LOGIN_FAILURES_ALLOWED):
        response = client.post("/accounts/login/", {"username": "ada", "password": "guess"})
        assert "correct username and password" in response.content.decode()
    # Now even the right password is refused for a while.
    response = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert client.get("/dashboard/").status_code == 302


@pytest.mark.django_db
def test_a_few_mistakes_do_not_lock_anyone_out(client, user, settings):
    for _ in range(settings.LOGIN_FAILURES_ALLOWED - 1):
        client.post("/accounts/login/", {"username": "ada", "password": "guess"})
    response = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302


TOKEN_URL = "/api/v1/auth/token/"


def forwarded_for(attempt: int) -> dict:
    """A made-up X-Forwarded-For, different each time, as a guesser would send."""
    return {"HTTP_X_FORWARDED_FOR": f"198.51.100.{attempt % 250 + 1}"}


@pytest.mark.django_db
def test_the_token_endpoint_is_rate_limited_whatever_x_forwarded_for_says(make_user):
    """Ten attempts a minute from one address, on any accounts: the header is not believed
    (with it, DRF would count each made-up address apart and never answer 429)."""
    client = APIClient()
    statuses = [
        client.post(TOKEN_URL, {"username": f"user{attempt}", "password": "guess"},
                    **forwarded_for(attempt)).status_code
        for attempt in range(11)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429


@pytest.mark.django_db
def test_behind_a_trusted_proxy_its_address_is_the_clients(make_user, settings):
    """With one proxy of ours in front, the address it appended is the client's: two clients
    behind it are counted apart, and what a client wrote before it is ignored."""
    from rest_framework.settings import api_settings

    settings.TRUSTED_PROXIES = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert api_settings.NUM_PROXIES == 1
    client = APIClient()

    def attempts(address: str, forged: str = "") -> list[int]:
        header = f"{forged}, {address}" if forged else address
        return [client.post(TOKEN_URL, {"username": f"u{i}", "password": "x"},
                            HTTP_X_FORWARDED_FOR=header).status_code for i in range(6)]

    assert attempts("203.0.113.1") == [400] * 6
    assert attempts("203.0.113.2") == [400] * 6  # another client: its own count
    statuses = attempts("203.0.113.1", forged="192.0.2.77")  # the forged part changes nothing
    assert statuses == [400] * 4 + [429] * 2


@pytest.mark.django_db
def test_failures_through_the_token_endpoint_lock_the_account_everywhere(client, user, settings):
    api = APIClient()
    for attempt in range(settings.LOGIN_FAILURES_ALLOWED):
        response = api.post(TOKEN_URL, {"username": "ada", "password": "guess"},
                            **forwarded_for(attempt))
        assert response.status_code == 400
    right = api.post(TOKEN_URL, {"username": "ada", "password": PASSWORD}, **forwarded_for(99))
    assert right.status_code == 429
    error = api_error(right)
    assert error["code"] == "account_locked"
    assert 0 < int(right["Retry-After"]) <= settings.LOGIN_LOCKOUT_S
    assert error["retry_after"] == int(right["Retry-After"])
    assert "token" not in right.json()
    response = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD})
    assert "Too many failed attempts" in response.content.decode()
    assert client.get("/dashboard/").status_code == 302


@pytest.mark.django_db
def test_failures_on_the_login_form_lock_the_token_endpoint(client, user, settings):
    for attempt in range(settings.LOGIN_FAILURES_ALLOWED):
        client.post("/accounts/login/", {"username": "ada", "password": "guess"},
                    **forwarded_for(attempt))
    right = APIClient().post(TOKEN_URL, {"username": "ada", "password": PASSWORD})
    assert right.status_code == 429
    assert api_error(right)["code"] == "account_locked"


@pytest.mark.django_db
def test_the_lock_expires_and_then_the_right_password_works(make_user, settings):
    settings.LOGIN_LOCKOUT_S = 6  # the failures must fall within it: each hashes a password
    # ... so a quick hasher: the default one takes ~0.5 s a password alone, and several
    # seconds beside another test process on a loaded machine, where the first failure had
    # left the 6 s window before the last one came (seen under pytest-xdist).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_user("ada")
    api = APIClient()
    for _ in range(settings.LOGIN_FAILURES_ALLOWED):
        api.post(TOKEN_URL, {"username": "ada", "password": "guess"})
    locked = api.post(TOKEN_URL, {"username": "ada", "password": PASSWORD})
    assert locked.status_code == 429
    time.sleep(int(locked["Retry-After"]) + 0.2)
    response = api.post(TOKEN_URL, {"username": "ada", "password": PASSWORD})
    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_a_successful_login_clears_the_failures(client, user, settings):
    api = APIClient()
    for _ in range(settings.LOGIN_FAILURES_ALLOWED - 1):
        api.post(TOKEN_URL, {"username": "ada", "password": "guess"})
    assert api.post(TOKEN_URL, {"username": "ada", "password": PASSWORD}).status_code == 201
    for _ in range(settings.LOGIN_FAILURES_ALLOWED - 1):
        client.post("/accounts/login/", {"username": "ada", "password": "guess"})
    assert client.post("/accounts/login/",
                       {"username": "ada", "password": PASSWORD}).status_code == 302


def test_production_settings_pass_the_deploy_check(tmp_path):
    import os
    import secrets
    import subprocess
    import sys

    env = dict(os.environ, DJANGO_HTTPS="true", DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
               DJANGO_DEBUG="false")
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for their own use
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True, text=True, env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("retry_after_s", "wait"), [
    (1, "a minute"), (60, "a minute"), (61, "2 minutes"), (900, "15 minutes"),
])
def test_the_lock_message_says_how_long_in_plain_words(retry_after_s, wait):
    assert str(AccountLocked(retry_after_s)).endswith(f"Try again in {wait}.")
