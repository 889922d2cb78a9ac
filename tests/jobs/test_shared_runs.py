"""A run is its owner's alone until the owner shares it; then anyone with the link may view
it read-only (page, history, exports, live stream) — and still not change it."""

import pytest
from rest_framework.test import APIClient

from tests.fixtures.accounts import PASSWORD
from training_worker import services


@pytest.fixture
def job(user, moons_config):
    return services.job_submit(user=user, config=moons_config)


def share(api, job, shared=True):
    return api.patch(f"/api/v1/jobs/{job.pk}/", {"shared": shared}, format="json")


READ_ONLY = ["/api/v1/jobs/{id}/", "/api/v1/jobs/{id}/metrics/", "/api/v1/jobs/{id}/export.csv",
             "/api/v1/jobs/{id}/export.json"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", READ_ONLY)
def test_a_shared_run_is_readable_by_anyone(api, job, path):
    anonymous = APIClient()
    assert anonymous.get(path.format(id=job.pk)).status_code == 401
    assert share(api, job).json()["shared"] is True
    assert anonymous.get(path.format(id=job.pk)).status_code == 200
    share(api, job, shared=False)
    assert anonymous.get(path.format(id=job.pk)).status_code == 401


@pytest.mark.django_db
def test_another_learner_sees_a_shared_run_but_cannot_change_it(api, job, other_user):
    share(api, job)
    other = APIClient()
    other.force_authenticate(other_user)
    assert other.get(f"/api/v1/jobs/{job.pk}/").status_code == 200
    assert other.post(f"/api/v1/jobs/{job.pk}/cancel/").status_code == 404
    unshare = other.patch(f"/api/v1/jobs/{job.pk}/", {"shared": False}, format="json")
    assert unshare.status_code == 404
    assert other.get(f"/api/v1/jobs/{job.pk}/model/").status_code == 404
    job.refresh_from_db()
    assert job.shared


@pytest.mark.django_db
def test_the_shared_run_page_is_open_and_read_only(api, client, job):
    assert client.get(f"/runs/{job.pk}/").status_code == 302  # to the login page
    share(api, job)
    html = client.get(f"/runs/{job.pk}/").content.decode()
    assert "read-only" in html
    assert "lab-cancel" not in html and "run-share-toggle" not in html


@pytest.mark.django_db
def test_the_owner_sees_the_share_toggle(client, user, job):
    client.force_login(user)
    assert "run-share-toggle" in client.get(f"/runs/{job.pk}/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{"shared": "maybe"}, {}, {"shared": True, "owner": 3}])
def test_a_bad_share_request_is_a_400(api, job, body):
    response = api.patch(f"/api/v1/jobs/{job.pk}/", body, format="json")
    assert response.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_anyone_can_follow_a_shared_runs_event_stream(user, moons_config):
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    job = services.job_submit(user=user, config=moons_config)
    services.job_start(job_id=job.pk)
    services.job_finish(job_id=job.pk, status="succeeded")

    async def read():
        response = await AsyncClient().get(f"/api/v1/jobs/{job.pk}/events/")
        if response.status_code != 200:
            return response.status_code, ""
        return 200, b"".join([chunk async for chunk in response.streaming_content]).decode()

    assert async_to_sync(read)()[0] == 401
    services.job_set_shared(job=job, shared=True)
    status, text = async_to_sync(read)()
    assert status == 200
    assert '"status":"succeeded"' in text


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
