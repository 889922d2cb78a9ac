"""A run is its owner's alone until the owner shares it; then anyone with its share link (an
unguessable token, never the countable id) may view it read-only (page, history, exports,
live stream) — and still not change it. Stopping sharing voids the link."""

import re

import pytest
from rest_framework.test import APIClient

from jobs import services
from tests.fixtures.accounts import PASSWORD


@pytest.fixture
def job(user, moons_config):
    return services.job_submit(user=user, config=moons_config)


def share(api, job, shared=True):
    return api.patch(f"/api/v1/jobs/{job.pk}/", {"shared": shared}, format="json")


def share_token(api, job) -> str:
    """Share the run; the token its share link holds."""
    body = share(api, job).json()
    assert body["shared"] is True
    match = re.fullmatch(r"http://testserver/runs/shared/([A-Za-z0-9_-]{32,})/", body["share_url"])
    assert match, body["share_url"]
    return match[1]


READ_ONLY = ["/api/v1/jobs/{id}/", "/api/v1/jobs/{id}/metrics/", "/api/v1/jobs/{id}/export.csv",
             "/api/v1/jobs/{id}/export.json", "/api/v1/jobs/{id}/code.py"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", READ_ONLY)
def test_a_shared_run_is_readable_by_anyone_with_its_token(api, job, path):
    anonymous = APIClient()
    path = path.format(id=job.pk)
    assert anonymous.get(path).status_code == 401
    token = share_token(api, job)
    assert anonymous.get(path).status_code == 401  # its id alone opens nothing
    wrong = token[:-1] + ("y" if token.endswith("x") else "x")  # one character off
    assert anonymous.get(path, {"share": wrong}).status_code == 401
    assert anonymous.get(path, {"share": token + "\x00"}).status_code == 401  # not a 500
    assert anonymous.get(path, {"share": token}).status_code == 200
    share(api, job, shared=False)
    assert anonymous.get(path, {"share": token}).status_code == 401  # the link is void


@pytest.mark.django_db
def test_sharing_again_makes_a_new_link_and_sharing_twice_keeps_it(api, job):
    first = share_token(api, job)
    assert share_token(api, job) == first
    share(api, job, shared=False)
    assert share(api, job, shared=False).json()["share_url"] is None
    second = share_token(api, job)
    assert second != first and len(second) >= 32


@pytest.mark.django_db
def test_a_visitors_urls_carry_the_token_and_lead_to_the_shared_page(api, job):
    token = share_token(api, job)
    body = APIClient().get(f"/api/v1/jobs/{job.pk}/", {"share": token}).json()
    for name in ("self", "events", "metrics"):
        assert body["urls"][name].endswith(f"/{job.pk}/{name + '/' if name != 'self' else ''}"
                                           f"?share={token}")
    assert "cancel" not in body["urls"]
    assert body["urls"]["page"] == f"http://testserver/runs/shared/{token}/"
    assert APIClient().get(body["urls"]["metrics"]).status_code == 200
    owners = api.get(f"/api/v1/jobs/{job.pk}/").json()["urls"]
    assert "share=" not in owners["self"] and owners["page"].endswith(f"/runs/{job.pk}/")


@pytest.mark.django_db
def test_another_learner_sees_a_shared_run_but_cannot_change_it(api, job, other_user):
    token = share_token(api, job)
    other = APIClient()
    other.force_authenticate(other_user)
    assert other.get(f"/api/v1/jobs/{job.pk}/").status_code == 404  # not by id
    assert other.get(f"/api/v1/jobs/{job.pk}/", {"share": token}).status_code == 200
    assert other.post(f"/api/v1/jobs/{job.pk}/cancel/?share={token}").status_code == 404
    unshare = other.patch(f"/api/v1/jobs/{job.pk}/?share={token}", {"shared": False},
                          format="json")
    assert unshare.status_code == 404
    assert other.get(f"/api/v1/jobs/{job.pk}/model/", {"share": token}).status_code == 404
    job.refresh_from_db()
    assert job.shared


@pytest.mark.django_db
def test_the_shared_run_page_is_open_and_read_only(api, client, job, other_user):
    assert client.get(f"/runs/{job.pk}/").status_code == 302  # to the login page
    token = share_token(api, job)
    assert client.get(f"/runs/{job.pk}/").status_code == 302  # still: not by its id
    client.force_login(other_user)
    assert client.get(f"/runs/{job.pk}/").status_code == 404
    client.logout()
    html = client.get(f"/runs/shared/{token}/").content.decode()
    assert "read-only" in html
    assert "lab-cancel" not in html and "run-share-toggle" not in html
    assert f"/api/v1/jobs/{job.pk}/export.csv?share={token}" in html
    assert client.get("/runs/shared/not-a-token/").status_code == 404
    assert client.get("/runs/shared/a%00b-with-a-nul-byte-in-it/").status_code == 404
    share(api, job, shared=False)
    assert client.get(f"/runs/shared/{token}/").status_code == 404


@pytest.mark.django_db
def test_the_owner_sees_the_share_toggle_and_the_link(api, client, user, job):
    client.force_login(user)
    html = client.get(f"/runs/{job.pk}/").content.decode()
    assert "run-share-toggle" in html
    token = share_token(api, job)
    html = client.get(f"/runs/{job.pk}/").content.decode()
    assert f"/runs/shared/{token}/" in html


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{"shared": "maybe"}, {}, {"shared": True, "owner": 3}])
def test_a_bad_share_request_is_a_400(api, job, body):
    response = api.patch(f"/api/v1/jobs/{job.pk}/", body, format="json")
    assert response.status_code == 400


def read_stream(path: str, **headers) -> tuple[int, str]:
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    async def read():
        response = await AsyncClient().get(path, headers=headers)
        if response.status_code != 200:
            return response.status_code, ""
        return 200, b"".join([chunk async for chunk in response.streaming_content]).decode()

    return async_to_sync(read)()


@pytest.mark.django_db(transaction=True)
def test_anyone_with_the_token_can_follow_a_shared_runs_event_stream(user, moons_config):
    job = services.job_submit(user=user, config=moons_config)
    services.job_start(job_id=job.pk)
    services.job_finish(job_id=job.pk, status="succeeded")
    path = f"/api/v1/jobs/{job.pk}/events/"

    assert read_stream(path)[0] == 401
    job = services.job_set_shared(job=job, shared=True)
    assert read_stream(path)[0] == 401  # not by its id
    status, text = read_stream(f"{path}?share={job.share_token}")
    assert status == 200
    assert '"status":"succeeded"' in text


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("authorization", ["Token dlp_not-a-real-key", "Bearer", "Token a b"])
def test_a_bad_token_on_a_shared_runs_stream_is_401_like_detail(user, moons_config,
                                                                 authorization):
    """It used to be taken as anonymous (200 on a shared run) while detail answered 401."""
    job = services.job_set_shared(job=services.job_submit(user=user, config=moons_config),
                                  shared=True)
    detail = APIClient().get(f"/api/v1/jobs/{job.pk}/", {"share": job.share_token},
                             HTTP_AUTHORIZATION=authorization)
    assert detail.status_code == 401
    status, _ = read_stream(f"/api/v1/jobs/{job.pk}/events/?share={job.share_token}",
                            Authorization=authorization)
    assert status == 401


@pytest.mark.django_db
@pytest.mark.parametrize("form_format", ["multipart", None])
def test_a_form_body_is_refused_and_changes_nothing(api, job, form_format):
    """The API speaks JSON. A form body used to be read with HTML checkbox rules, so an empty
    multipart PATCH unshared a run (schemathesis found the schema did not allow it)."""
    services.job_set_shared(job=job, shared=True)
    response = api.patch(f"/api/v1/jobs/{job.pk}/", {}, format=form_format)
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    job.refresh_from_db()
    assert job.shared


@pytest.mark.django_db
def test_the_token_endpoint_still_takes_a_form(user):
    response = APIClient().post("/api/v1/auth/token/",
                                {"username": user.username, "password": PASSWORD})
    assert response.status_code == 201, response.content
    assert response.json()["token"].startswith("dlp_")


@pytest.mark.django_db
def test_the_migration_gives_runs_shared_before_tokens_a_link(user, moons_config):
    from importlib import import_module

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from jobs.models import TrainingJob

    migration = import_module("training_worker.migrations.0008_job_share_token")
    shared, private = (services.job_submit(user=user, config=moons_config) for _ in range(2))
    TrainingJob.objects.filter(pk=shared.pk).update(shared=True)  # as a run shared by id was
    # The models as they were when the migration ran (TrainingJob was training_worker's).
    old_apps = MigrationLoader(connection).project_state(
        [("training_worker", "0008_job_share_token")]
    ).apps
    migration.give_shared_runs_a_token(old_apps, None)
    shared.refresh_from_db()
    private.refresh_from_db()
    assert len(shared.share_token) >= 32 and private.share_token is None
    assert APIClient().get(f"/api/v1/jobs/{shared.pk}/",
                           {"share": shared.share_token}).status_code == 200
