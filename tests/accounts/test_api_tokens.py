import hashlib
import importlib
import re
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import AsyncClient
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import tokens
from accounts.models import ApiToken
from jobs import services
from jobs.models import JobStatus
from tests.fixtures.accounts import new_key

KEY_PATTERN = re.compile(r"dlp_[A-Za-z0-9_-]{43}")


def api_status(key: str, keyword: str = "Token") -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    return client.get("/api/v1/jobs/").status_code


# --- storage ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_key_is_stored_only_as_its_hash(user):
    token, key = tokens.create_token(user, "laptop")
    assert KEY_PATTERN.fullmatch(key)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:12]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM dlplatform_apitoken")
        rows = cursor.fetchall()
    assert len(rows) == 1
    # No column holds the key, nor more of it than the short display prefix.
    assert all(key not in str(value) and key[:20] not in str(value) for value in rows[0])


@pytest.mark.django_db
def test_names_are_required_short_and_unique_among_active_tokens(user, other_user):
    for bad in ["", "   ", "x" * 61]:
        with pytest.raises(tokens.InvalidTokenName):
            tokens.create_token(user, bad)
    token, _ = tokens.create_token(user, "laptop")
    with pytest.raises(tokens.InvalidTokenName, match="already have a token named"):
        tokens.create_token(user, "laptop")
    tokens.create_token(other_user, "laptop")  # names are per user
    tokens.revoke_token(user, token.pk)
    tokens.create_token(user, "laptop")  # a revoked token frees its name


# --- authentication -----------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("keyword", ["Token", "Bearer", "bearer"])
def test_the_key_authenticates_with_token_or_bearer(user, keyword):
    assert api_status(new_key(user), keyword) == 200


@pytest.mark.django_db
def test_a_revoked_token_is_refused(user):
    token, key = tokens.create_token(user, "laptop")
    assert tokens.revoke_token(user, token.pk) is not None
    assert api_status(key) == 401
    assert tokens.authenticate_key(key) is None


@pytest.mark.django_db
def test_an_expired_token_is_refused(user):
    _, soon = tokens.create_token(user, "soon", expires_at=timezone.now() + timedelta(hours=1))
    _, gone = tokens.create_token(user, "gone", expires_at=timezone.now() - timedelta(seconds=1))
    assert api_status(soon) == 200
    assert api_status(gone) == 401


@pytest.mark.django_db
def test_a_deactivated_users_token_is_refused(user):
    key = new_key(user)
    user.is_active = False
    user.save()
    assert api_status(key) == 401


@pytest.mark.django_db
def test_last_used_is_written_at_most_once_a_minute(user):
    token, key = tokens.create_token(user, "laptop")
    assert token.last_used_at is None
    assert api_status(key) == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    assert api_status(key) == 200
    token.refresh_from_db()
    assert token.last_used_at == first  # within the minute: no second write
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    assert api_status(key) == 200
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=2)


@pytest.mark.django_db
def test_another_user_cannot_revoke_my_token(user, other_user, client):
    token, key = tokens.create_token(user, "laptop")
    theirs = APIClient()
    theirs.credentials(HTTP_AUTHORIZATION=f"Token {new_key(other_user)}")
    assert theirs.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 404
    client.force_login(other_user)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert api_status(key) == 200


@pytest.mark.django_db
def test_the_token_list_never_contains_a_key(user):
    key = new_key(user, "laptop")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    text = client.get("/api/v1/auth/tokens/").content.decode()
    assert "laptop" in text and key not in text and not KEY_PATTERN.search(text)


@pytest.mark.django_db
def test_legacy_authtoken_keys_are_carried_over_hashed(user):
    """Migration 0002 turns rest_framework.authtoken's plain keys into hashed tokens."""
    migration = importlib.import_module("dlplatform.migrations.0002_import_authtoken_keys")
    legacy = "0f" * 20
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
                       "user_id integer NOT NULL, created timestamp with time zone NOT NULL)")
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)",
                       [legacy, user.pk, timezone.now() - timedelta(days=30)])
    # The models as they were when the migration ran (ApiToken was dlplatform's then).
    old_apps = MigrationLoader(connection).project_state(
        [("dlplatform", "0002_import_authtoken_keys")]
    ).apps
    with connection.schema_editor() as editor:
        migration.import_keys(old_apps, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0  # no plain key left behind
    token = ApiToken.objects.get(user=user)
    assert token.name == "legacy token"
    assert token.created < timezone.now() - timedelta(days=29)
    assert api_status(legacy) == 200


# --- the event stream ----------------------------------------------------------------------

def _stream_status(job_id: int, authorization: str) -> int:
    async def read():
        response = await AsyncClient().get(f"/api/v1/jobs/{job_id}/events/",
                                           headers={"Authorization": authorization})
        if response.status_code == 200:
            [chunk async for chunk in response.streaming_content]
        return response.status_code

    return async_to_sync(read)()


@pytest.mark.django_db(transaction=True)
def test_the_event_stream_checks_tokens_with_the_same_service(user, moons_config):
    job = services.job_submit(user=user, config=moons_config)
    services.job_start(job_id=job.pk)
    services.job_finish(job_id=job.pk, status=JobStatus.SUCCEEDED, result={})
    token, key = tokens.create_token(user, "laptop")
    assert _stream_status(job.pk, f"Token {key}") == 200
    assert _stream_status(job.pk, f"Bearer {key}") == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    tokens.revoke_token(user, token.pk)
    assert _stream_status(job.pk, f"Token {key}") == 401
    _, expired = tokens.create_token(user, "old", expires_at=timezone.now())
    assert _stream_status(job.pk, f"Token {expired}") == 401
    assert _stream_status(job.pk, "Token") == 401


# --- the account page ------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_account_page_needs_a_login(client):
    response = client.get("/accounts/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_the_account_page_shows_who_i_am_and_links_from_the_nav(client, user):
    user.email = "ada@example.com"
    user.save()
    client.force_login(user)
    html = client.get("/accounts/").content.decode()
    assert "ada@example.com" in html and "No active tokens." in html
    assert 'href="/accounts/">Account</a>' in html


@pytest.mark.django_db
def test_creating_a_token_shows_its_key_once(client, user):
    client.force_login(user)
    response = client.post("/accounts/", {"name": "laptop"})
    assert response.status_code == 200
    html = response.content.decode()
    keys = KEY_PATTERN.findall(html)
    assert len(keys) == 1
    assert "it will not be shown again" in html
    key = keys[0]
    assert api_status(key) == 200
    again = client.get("/accounts/").content.decode()
    assert key not in again and not KEY_PATTERN.search(again)
    assert "laptop" in again and key[:12] in again  # listed by name and prefix
    assert key not in str(dict(client.session))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, reason",
    [("", "This field is required."), ("x" * 61, "at most 60 characters"),
     ("laptop", "already have a token named")],
)
def test_form_errors_are_shown_on_the_page(client, user, name, reason):
    tokens.create_token(user, "laptop")
    client.force_login(user)
    response = client.post("/accounts/", {"name": name})
    assert response.status_code == 200
    html = response.content.decode()
    assert reason in html.replace("&quot;", '"')
    assert not KEY_PATTERN.search(html)
    assert ApiToken.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_revoking_from_the_account_page(client, user):
    token, key = tokens.create_token(user, "laptop")
    client.force_login(user)
    assert client.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert response.redirect_chain == [("/accounts/", 302)]
    html = response.content.decode()
    assert "revoked" in html and "No active tokens." in html
    assert api_status(key) == 401


@pytest.mark.django_db
def test_the_revoke_button_needs_the_csrf_token(user):
    from django.test import Client

    token, key = tokens.create_token(user, "laptop")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 403
    assert api_status(key) == 200


# --- admin and schema -----------------------------------------------------------------------

@pytest.mark.django_db
def test_the_admin_lists_and_revokes_tokens_without_showing_keys(client, django_user_model, user):
    admin = django_user_model.objects.create_superuser("root", password="a-long-pass-42")
    token, key = tokens.create_token(user, "laptop")
    client.force_login(admin)
    listing = client.get("/admin/accounts/apitoken/").content.decode()
    assert "laptop" in listing and key not in listing and token.key_hash not in listing
    detail = client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert key not in detail and token.key_hash not in detail
    client.post("/admin/accounts/apitoken/",
                {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.django_db
def test_the_schema_documents_the_token_endpoints(client):
    import yaml

    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    paths = schema["paths"]
    assert {"post"} <= set(paths["/api/v1/auth/token/"])
    assert {"get"} <= set(paths["/api/v1/auth/tokens/"])
    assert {"delete"} <= set(paths["/api/v1/auth/tokens/{token_id}/"])
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    created = paths["/api/v1/auth/token/"]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"]["$ref"].endswith("NewApiToken")
