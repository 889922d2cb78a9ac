"""/metrics: Prometheus' text format for the scraper that holds the token, nothing for anyone
else; the numbers are the platform's own."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from jobs import services
from training_worker import runner

pytestmark = pytest.mark.django_db


def scrape(client, token: str | None) -> dict:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.status_code
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.content.decode())
            for sample in family.samples}


@pytest.mark.parametrize("token", [None, "wrong"])
def test_without_the_token_there_is_nothing(client, settings, token):
    settings.METRICS_TOKEN = "scrape-me"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    assert client.get("/metrics", **headers).status_code == 404


def test_without_a_configured_token_metrics_are_off(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_jobs_durations_and_heartbeats_are_reported(client, settings, user, moons_config):
    settings.METRICS_TOKEN = "scrape-me"
    done = services.job_submit(user=user, config=moons_config)
    runner.job_run(job_id=done.pk)
    services.job_submit(user=user, config=moons_config)  # queued
    running = services.job_submit(user=user, config=moons_config)
    services.job_start(job_id=running.pk, worker="host-a:1")

    metrics = scrape(client, "scrape-me")

    assert metrics[("dlp_jobs", (("status", "queued"),))] == 1
    assert metrics[("dlp_jobs", (("status", "running"),))] == 1
    assert metrics[("dlp_busy_worker_processes", ())] == 1
    assert 0 <= metrics[("dlp_oldest_heartbeat_age_seconds", ())] < 60
    assert metrics[("dlp_job_duration_seconds_count", (("status", "succeeded"),))] == 1
    assert metrics[("dlp_job_duration_seconds_sum", (("status", "succeeded"),))] > 0
    assert metrics[("dlp_job_duration_seconds_count", (("status", "failed"),))] == 0
    assert ("dlp_open_event_streams", ()) in metrics
