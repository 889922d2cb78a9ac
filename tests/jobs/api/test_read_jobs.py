import json

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient

from jobs import services
from jobs.models import JobStatus
from tests.fixtures.accounts import new_key


@pytest.fixture
def job(user, moons_config):
    return services.job_submit(user=user, config=moons_config)


@pytest.fixture
def others_job(other_user, moons_config):
    return services.job_submit(user=other_user, config=moons_config)


@pytest.mark.django_db
def test_list_shows_only_own_jobs(api, job, others_job):
    body = api.get("/api/v1/jobs/").json()
    assert [item["id"] for item in body["results"]] == [job.pk]
    assert body["count"] == 1


@pytest.mark.django_db
def test_each_listed_job_links_to_itself(api, user, moons_config):
    jobs = [services.job_submit(user=user, config=moons_config) for _ in range(3)]
    listed = {item["id"]: item["urls"] for item in api.get("/api/v1/jobs/").json()["results"]}
    assert sorted(listed) == sorted(job.pk for job in jobs)
    for job_id, urls in listed.items():
        assert urls == {
            "self": f"http://testserver/api/v1/jobs/{job_id}/",
            "events": f"http://testserver/api/v1/jobs/{job_id}/events/",
            "metrics": f"http://testserver/api/v1/jobs/{job_id}/metrics/",
            "cancel": f"http://testserver/api/v1/jobs/{job_id}/cancel/",
            "page": f"http://testserver/runs/{job_id}/",
        }
        assert urls == api.get(urls["self"]).json()["urls"]


@pytest.mark.django_db
def test_detail_of_own_job(api, job):
    body = api.get(f"/api/v1/jobs/{job.pk}/").json()
    assert body["id"] == job.pk
    assert body["status"] == JobStatus.QUEUED


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method, suffix", [("get", ""), ("post", "cancel/"), ("get", "metrics/"), ("get", "events/")]
)
def test_another_users_job_is_404_like_a_missing_one(api, others_job, method, suffix):
    theirs = getattr(api, method)(f"/api/v1/jobs/{others_job.pk}/{suffix}")
    missing = getattr(api, method)(f"/api/v1/jobs/{others_job.pk + 1000}/{suffix}")
    assert theirs.status_code == missing.status_code == 404
    others_job.refresh_from_db()
    assert others_job.status == JobStatus.QUEUED  # the cancel did nothing


@pytest.mark.django_db
def test_metrics_history_lists_events_in_order(api, job):
    services.record_events(
        job_id=job.pk,
        events=[("metric", {"scope": "step", "step": 1, "train_loss": 0.5}),
                ("metric", {"scope": "step", "step": 2, "train_loss": 0.4})],
    )
    body = api.get(f"/api/v1/jobs/{job.pk}/metrics/").json()
    assert [e["seq"] for e in body["events"]] == [1, 2, 3]
    assert [e["type"] for e in body["events"]] == ["status", "metric", "metric"]
    after = api.get(f"/api/v1/jobs/{job.pk}/metrics/?after=2").json()
    assert [e["seq"] for e in after["events"]] == [3]
    assert api.get(f"/api/v1/jobs/{job.pk}/metrics/?after=x").status_code == 400


def _read_stream(token: str, job_id: int, last_event_id: str | None = None):
    """Call the async SSE view in-process and collect what it streams."""

    async def read():
        headers = {"Authorization": f"Token {token}"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        response = await AsyncClient().get(f"/api/v1/jobs/{job_id}/events/", headers=headers)
        if response.status_code != 200:
            return response.status_code, response["Content-Type"], ""
        chunks = [chunk async for chunk in response.streaming_content]
        return 200, response["Content-Type"], b"".join(chunks).decode()

    return async_to_sync(read)()


def _event_ids(text: str) -> list[int]:
    return [int(line[4:]) for line in text.splitlines() if line.startswith("id: ")]


@pytest.mark.django_db(transaction=True)
def test_event_stream_of_finished_job_replays_history_then_ends(user, moons_config):
    job = services.job_submit(user=user, config=moons_config)
    services.job_start(job_id=job.pk)
    services.record_events(job_id=job.pk, events=[("metric", {"scope": "step", "step": 1})])
    services.job_finish(job_id=job.pk, status=JobStatus.SUCCEEDED, result={"val_accuracy": 1.0})
    token = new_key(user)

    status, content_type, text = _read_stream(token, job.pk)
    assert (status, content_type) == (200, "text/event-stream")
    assert _event_ids(text) == [1, 2, 3, 4]
    last_data = text.rstrip().splitlines()[-1]
    assert json.loads(last_data.removeprefix("data: ")) == {
        "status": "succeeded", "error": "", "result": {"val_accuracy": 1.0}
    }
    assert "event: metric" in text

    assert _event_ids(_read_stream(token, job.pk, last_event_id="2")[2]) == [3, 4]
    assert _read_stream(token, job.pk, last_event_id="4")[0] == 204
    assert _read_stream(token, job.pk, last_event_id="two")[0] == 400


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["limit=x", "offset=-1", "offset=1&offset=2", "limit=null"])
def test_malformed_paging_is_a_400(api, query):
    response = api.get(f"/api/v1/jobs/?{query}")
    assert response.status_code == 400


@pytest.mark.django_db
def test_unknown_api_url_is_a_json_404(api):
    response = api.get("/api/v1/jobs/not-a-number/")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not found.", "fields": {}}
    }
