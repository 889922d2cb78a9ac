import pytest
from rest_framework.test import APIClient

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


@pytest.mark.django_db
def test_the_token_endpoint_is_rate_limited(user):
    client = APIClient()
    statuses = [
        client.post("/api/v1/auth/token/", {"username": "ada", "password": "guess"}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429


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
