"""Operational metrics for Prometheus: jobs queued and running, job durations, worker
heartbeats (read from the database at each scrape, so every web process reports the whole
platform), and the event streams this web process holds open (its own count: scrape each
web process).

Served at /metrics only when DLP_METRICS_TOKEN is set, to a scraper that sends it as a
bearer token (`authorization: {credentials: …}` in Prometheus' scrape config).
"""

import hmac
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F, Max, Min
from django.http import Http404, HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Gauge, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

from jobs.models import JobStatus, TrainingJob

OPEN_STREAMS = Gauge("dlp_open_event_streams", "Event streams this web process holds open.")

DURATION_BUCKETS = (1, 2, 5, 10, 20, 30, 60, 120, 300, 600)
RECENT = timedelta(hours=1)


class PlatformCollector(Collector):
    def describe(self):
        """The names, for the registry to check at registration: no query at import time."""
        yield GaugeMetricFamily("dlp_jobs", "", labels=["status"])
        for name in ("dlp_oldest_heartbeat_age_seconds", "dlp_busy_worker_processes",
                     "dlp_oldest_queued_age_seconds", "dlp_last_job_finished_timestamp_seconds"):
            yield GaugeMetricFamily(name, "")
        yield HistogramMetricFamily("dlp_job_duration_seconds", "", labels=["status"])

    def collect(self):
        now = timezone.now()
        counts = dict(TrainingJob.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
                      .values_list("status").annotate(n=Count("pk")))
        jobs = GaugeMetricFamily("dlp_jobs", "Jobs queued or running now.", labels=["status"])
        for status in (JobStatus.QUEUED, JobStatus.RUNNING):
            jobs.add_metric([status], counts.get(status, 0))
        yield jobs

        running = TrainingJob.objects.filter(status=JobStatus.RUNNING)
        beats = running.aggregate(oldest=Min("heartbeat_at"), workers=Count("worker",
                                                                            distinct=True))
        age = GaugeMetricFamily(
            "dlp_oldest_heartbeat_age_seconds",
            "Seconds since the least recent heartbeat of a running job (0 when none runs); "
            "above DLP_JOB_STALE_AFTER_S the reaper hands the job on.")
        age.add_metric([], (now - beats["oldest"]).total_seconds() if beats["oldest"] else 0)
        yield age
        busy = GaugeMetricFamily("dlp_busy_worker_processes",
                                 "Worker processes running a job now.")
        busy.add_metric([], beats["workers"] or 0)
        yield busy
        waiting = TrainingJob.objects.filter(status=JobStatus.QUEUED).aggregate(
            oldest=Min("created_at"))["oldest"]
        wait = GaugeMetricFamily("dlp_oldest_queued_age_seconds",
                                 "Seconds the longest-waiting queued job has waited.")
        wait.add_metric([], (now - waiting).total_seconds() if waiting else 0)
        yield wait

        durations = list(
            TrainingJob.objects.filter(finished_at__gte=now - RECENT, started_at__isnull=False)
            .annotate(took=F("finished_at") - F("started_at"))
            .values_list("status", "took"))
        histogram = HistogramMetricFamily(
            "dlp_job_duration_seconds",
            "Start-to-end time of the jobs that ended in the last hour.", labels=["status"])
        for status in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED):
            seconds = [took.total_seconds() for s, took in durations if s == status]
            buckets = [(str(b), sum(x <= b for x in seconds)) for b in DURATION_BUCKETS]
            buckets.append(("+Inf", len(seconds)))
            histogram.add_metric([status], buckets, sum_value=sum(seconds))
        yield histogram
        last = TrainingJob.objects.aggregate(last=Max("finished_at"))["last"]
        ended = GaugeMetricFamily("dlp_last_job_finished_timestamp_seconds",
                                  "When the most recent job ended (Unix time; 0: never).")
        ended.add_metric([], last.timestamp() if last else 0)
        yield ended


REGISTRY.register(PlatformCollector())


def metrics_view(request):
    """Prometheus' text format; 404 unless DLP_METRICS_TOKEN is set and sent as a bearer."""
    expected = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if not expected or not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
        raise Http404
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
