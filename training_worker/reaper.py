"""Jobs whose worker or message was lost are sent again; none is lost or stuck.

Run by Celery beat every REAPER_INTERVAL_S (tasks.reap_lost_jobs):

- A running job whose worker has not beaten its heart for JOB_STALE_AFTER_S (workers beat
  every JOB_HEARTBEAT_S while a job trains, recording.EventRecorder) lost its worker machine.
  It goes back to `queued` and its next attempt is sent: it starts again on a surviving
  worker, announced in its stream. After JOB_MAX_ATTEMPTS attempts it fails with the reason.
  The lost attempt's own message, when Redis redelivers it much later, is refused by
  services.job_start (the job has moved on), so it runs nothing.
- A queued job with no message in the broker (Redis restarted without persistence, or a
  send that failed after commit) has its message sent again once it has waited
  JOB_QUEUED_CHECK_AFTER_S. A job merely waiting in a long backlog has its message in the
  queue and is left alone. Where the broker cannot be read (the filesystem broker), only a
  job queued longer than JOB_QUEUED_LOST_AFTER_S, far beyond any normal wait, is sent again.

Every change is a conditional UPDATE and messages are sent after commit, so two reapers
(a second beat, or one restarted) cannot both hand on the same attempt; and a message sent
twice still runs the attempt once. While beat is down nothing is reaped: lost jobs stay
`running` (and count against their learner's limits) until a beat runs again.
"""

import functools
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from engine import ConfigError, parse_config
from jobs import dispatch, services
from jobs.models import JobStatus, TrainingJob
from training_worker import broker_queue

log = logging.getLogger(__name__)


@dataclass
class Reaped:
    requeued: int = 0  # running jobs whose worker was lost, sent again
    failed: int = 0  # ... or failed, out of attempts
    resent: int = 0  # queued jobs whose message was lost, sent again


def reap_lost_jobs() -> Reaped:
    reaped = Reaped()
    _hand_on_lost_running(reaped)
    _resend_lost_queued(reaped)
    if reaped.requeued or reaped.failed or reaped.resent:
        log.warning("reaper: %s", reaped)
    return reaped


def _hand_on_lost_running(reaped: Reaped) -> None:
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.JOB_STALE_AFTER_S)
    lost = TrainingJob.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=stale_before)
    for job_id, attempt, config in lost.values_list("pk", "attempt", "config"):
        if attempt >= settings.JOB_MAX_ATTEMPTS:
            reaped.failed += services.job_finish(
                job_id=job_id, status=JobStatus.FAILED, attempt=attempt, error=(
                    f"The worker running this job stopped responding, in each of "
                    f"{attempt} attempts; the run was abandoned."))
            continue
        with transaction.atomic():
            moved = TrainingJob.objects.filter(
                pk=job_id, status=JobStatus.RUNNING, attempt=attempt,
                heartbeat_at__lt=stale_before,
            ).update(status=JobStatus.QUEUED, worker="", heartbeat_at=now)
            if not moved:
                continue  # it beat, ended or was handed on since the query: nothing to do
            services.append_status_event(job_id, {
                "status": JobStatus.QUEUED, "attempt": attempt, "requeued": True,
                "error": (f"The worker running attempt {attempt} stopped responding; the job "
                          f"is queued to start again as attempt {attempt + 1}."),
            })
            transaction.on_commit(functools.partial(_send, job_id, config, attempt + 1))
        reaped.requeued += 1


def _resend_lost_queued(reaped: Reaped) -> None:
    now = timezone.now()
    waited = now - timedelta(seconds=settings.JOB_QUEUED_CHECK_AFTER_S)
    # A job's wait starts at its submission, or when the reaper last queued or sent it.
    waiting = TrainingJob.objects.filter(status=JobStatus.QUEUED).filter(
        Q(heartbeat_at__lt=waited) | Q(heartbeat_at__isnull=True, created_at__lt=waited))
    candidates = list(waiting.values_list("pk", "attempt", "config", "heartbeat_at",
                                          "created_at"))
    if not candidates:
        return
    try:
        pending = broker_queue.pending_job_ids(dispatch.job_queues())
    except BrokerError as exc:
        log.warning("reaper: the broker cannot be read (%s); queued jobs are left as they are",
                    exc)
        return
    lost_before = now - timedelta(seconds=settings.JOB_QUEUED_LOST_AFTER_S)
    for job_id, attempt, config, beat_at, created_at in candidates:
        if pending is not None and job_id in pending:
            continue
        if pending is None and (beat_at or created_at) >= lost_before:
            continue  # the broker cannot say: only a wait far beyond normal counts as lost
        # Claim this send: another reaper that read the same row now finds it changed.
        if TrainingJob.objects.filter(pk=job_id, status=JobStatus.QUEUED, attempt=attempt,
                                      heartbeat_at=beat_at).update(heartbeat_at=now):
            _send(job_id, config, attempt + 1)
            reaped.resent += 1


def _send(job_id: int, config: dict, attempt: int) -> None:
    try:
        parsed = parse_config(config)
    except ConfigError as exc:  # accepted under older rules that no longer hold
        services.job_finish(job_id=job_id, status=JobStatus.FAILED, error=(
            f"The job could not be sent again: its config is no longer valid ({exc})."))
        return
    try:
        dispatch.send_job(job_id, parsed, attempt=attempt)
    except BrokerError as exc:
        log.error("reaper: could not send job %s again (%s); it is tried on the next round",
                  job_id, exc)
