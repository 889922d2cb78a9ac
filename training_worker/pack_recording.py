"""Storing a pack's events (packing.py): one buffer per job, one writer thread for the pack,
and each flush stores every job's pending events in one transaction
(pack_services.record_events_of_jobs) and wakes their viewers with one Redis round trip.

A pack recorded as thirty solo runs (an EventRecorder each) ran thirty writer threads that
took the GIL from training and thirty transactions per flush interval, each waiting for
its commit, through thirty database connections (docs/scaling.md, "A class of thirty").
Per job it behaves as EventRecorder does: its events are stored in order, a cancel
request read back stops it, a superseded attempt stops and writes nothing more, a job
with nothing to store for JOB_HEARTBEAT_S still beats, the time limit stops it.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import connections

from engine import STOP, Event
from jobs import pack_services
from jobs.models import TrainingJob
from training_worker.recording import with_db_retry

log = logging.getLogger(__name__)


class JobEvents:
    """One job's side of a PackRecorder; what recording.end and end_with_model take."""

    def __init__(self, pack: "PackRecorder", job: TrainingJob) -> None:
        self.pack = pack
        self.job_id = job.pk
        self.attempt: int | None = job.attempt
        self.cancel_requested = False
        self.superseded = False
        self.timed_out = False
        self.buffer: list[tuple[str, dict]] = []
        self.last_flush = time.monotonic()

    def on_event(self, event: Event) -> str | None:
        return self.pack.on_event(self, event)

    def flush(self) -> None:
        """Store what this job still has buffered (the job is ending)."""
        self.pack.write([self])


class PackRecorder:
    def __init__(self, jobs: list[TrainingJob], *, time_limit_s: float) -> None:
        self.jobs = [JobEvents(self, job) for job in jobs]
        self._lock = threading.Lock()  # the buffers
        self._write_lock = threading.Lock()  # one write at a time, so each job's stay in order
        self._last_write = time.monotonic()
        self._deadline = self._last_write + time_limit_s
        self._writer: threading.Thread | None = None
        self._writer_error: BaseException | None = None
        self._wake = threading.Event()
        self._closing = False
        if settings.EVENT_WRITER_THREAD:
            self._writer = threading.Thread(target=self._write_in_background,
                                            name="pack-events", daemon=True)
            self._writer.start()

    def on_event(self, job: JobEvents, event: Event) -> str | None:
        if self._writer_error is not None:
            raise self._writer_error  # the database stayed away past DB_RETRY_S
        with self._lock:
            job.buffer.append((event.type, event.payload))
            pending = len(job.buffer)
        now = time.monotonic()
        if self._writer is not None:
            if pending >= settings.EVENT_FLUSH_MAX_EVENTS:
                self._wake.set()
        elif (pending >= settings.EVENT_FLUSH_MAX_EVENTS
              or now - self._last_write >= settings.EVENT_FLUSH_INTERVAL_S):
            self.write()
        if now >= self._deadline:
            job.timed_out = True
        return STOP if (job.cancel_requested or job.timed_out or job.superseded) else None

    def write(self, jobs: list[JobEvents] | None = None) -> None:
        """Store the pending events of `jobs` (all by default) in one transaction."""
        with self._write_lock:
            now = time.monotonic()
            with self._lock:
                taken = []
                for job in jobs or self.jobs:
                    if job.superseded:
                        job.buffer = []
                        continue
                    events, job.buffer = job.buffer, []
                    if events or (job.attempt is not None
                                  and now - job.last_flush >= settings.JOB_HEARTBEAT_S):
                        taken.append((job, events))  # no events: its heart still beats
            if jobs is None:
                self._last_write = now
            if not taken:
                return
            try:
                outcomes = with_db_retry(lambda: pack_services.record_events_of_jobs(
                    batches=[(job.job_id, job.attempt, events) for job, events in taken]))
            except BaseException:
                with self._lock:
                    for job, events in taken:
                        job.buffer[:0] = events  # kept, in order, for the final flush
                raise
            for job, _ in taken:
                outcome = outcomes[job.job_id]
                if outcome == pack_services.SUPERSEDED:
                    log.warning("job %s: attempt %s was handed on; this worker stops it",
                                job.job_id, job.attempt)
                    job.superseded = True
                elif outcome == pack_services.CANCEL:
                    job.cancel_requested = True
                job.last_flush = now

    def close(self) -> None:
        """Stop the writer thread and store what is left; called once training has ended."""
        if self._writer is not None:
            self._closing = True
            self._wake.set()
            self._writer.join()
            self._writer = None
        self.write()

    def _write_in_background(self) -> None:
        try:
            while not self._closing:
                self._wake.wait(settings.EVENT_FLUSH_INTERVAL_S)
                self._wake.clear()
                self.write()
        except BaseException as exc:
            log.exception("packed jobs %s: storing events failed",
                          [job.job_id for job in self.jobs])
            self._writer_error = exc
        finally:
            connections.close_all()  # this thread's own connection


class PackShares:
    """Each job's share of the pack's wall time, charged against its learner's daily
    training time: while k jobs of the pack train, each is charged 1/k of the time."""

    def __init__(self, size: int, clock=time.monotonic) -> None:
        self._clock = clock
        self._since = clock()
        self._training = set(range(size))
        self._seconds = [0.0] * size

    def leave(self, index: int) -> float:
        """Job `index` is done training: its share so far, which stays its share."""
        now = self._clock()
        if self._training:
            for other in self._training:
                self._seconds[other] += (now - self._since) / len(self._training)
        self._since = now
        self._training.discard(index)
        return self._seconds[index]
