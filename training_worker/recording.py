"""Storing a run's events and ending it: what the solo runner (runner.py) and the packed
runner (packing.py) share.

The engine calls `on_event` for everything it measures; events are buffered and stored in
batches (one transaction per ~150 ms or 200 events, by a writer thread beside training),
each batch wakes live viewers once, and the same round trip tells the worker whether the
learner asked to cancel.
"""

import logging
import threading
import time
from typing import Protocol

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, connections

from engine import STOP, Event
from jobs import services
from jobs.artifacts import store_trained_model
from jobs.models import JobStatus

log = logging.getLogger(__name__)


def with_db_retry(write, *, deadline_s: float | None = None):
    """Run a database write, reconnecting and retrying while the database is briefly away.

    A training run outlives a database restart or a dropped connection: its events stay in
    the buffer and are written once the database answers again (within DB_RETRY_S).
    """
    deadline = time.monotonic() + (deadline_s or settings.DB_RETRY_S)
    delay = 0.1
    while True:
        try:
            return write()
        except (OperationalError, InterfaceError):
            if time.monotonic() + delay > deadline:
                raise
            log.warning("database write failed; retrying in %.1f s", delay, exc_info=True)
            time.sleep(delay)
            connection.close()  # drop the broken connection; the next query reconnects
            delay = min(delay * 2, 2.0)


class EventRecorder:
    """Buffers engine events and stores them in batches; remembers a cancel request.

    With settings.EVENT_WRITER_THREAD (the default), a thread of the worker stores each
    batch while training goes on, so the ~20 ms of a batch's transaction and publish
    overlap the next steps instead of pausing them. Without it (tests whose rows live in a
    transaction that another connection cannot see), `on_event` stores the batches itself.
    Either way batches are stored one at a time, in order.
    """

    def __init__(self, job_id: int, *, time_limit_s: float, attempt: int | None = None) -> None:
        self.job_id = job_id
        self.attempt = attempt
        self.cancel_requested = False
        # The reaper handed the job on (this worker went silent too long) or it ended:
        # this attempt stops and writes nothing more.
        self.superseded = False
        self.timed_out = False
        self._buffer: list[tuple[str, dict]] = []
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()
        self._deadline = self._last_flush + time_limit_s
        self._writer: threading.Thread | None = None
        self._writer_error: BaseException | None = None
        self._wake = threading.Event()
        self._closing = False
        if settings.EVENT_WRITER_THREAD:
            self._writer = threading.Thread(
                target=self._write_in_background, name=f"job-{job_id}-events", daemon=True
            )
            self._writer.start()

    def on_event(self, event: Event) -> str | None:
        if self._writer_error is not None:
            raise self._writer_error  # the database stayed away past DB_RETRY_S
        with self._lock:
            self._buffer.append((event.type, event.payload))
            pending = len(self._buffer)
        now = time.monotonic()
        if self._writer is not None:
            if pending >= settings.EVENT_FLUSH_MAX_EVENTS:
                self._wake.set()
        elif (pending >= settings.EVENT_FLUSH_MAX_EVENTS
              or now - self._last_flush >= settings.EVENT_FLUSH_INTERVAL_S):
            self._write_pending()
        if now >= self._deadline:
            self.timed_out = True
        return STOP if (self.cancel_requested or self.timed_out or self.superseded) else None

    def flush(self) -> None:
        """Store everything still buffered; called once training has ended."""
        if self._writer is not None:
            self._closing = True
            self._wake.set()
            self._writer.join()
            self._writer = None
        self._write_pending()  # what the writer left: nothing, unless it failed

    def _write_pending(self) -> None:
        with self._lock:
            batch, self._buffer = self._buffer, []
        if self.superseded:
            return
        try:
            if batch:
                if with_db_retry(lambda: services.record_events(
                    job_id=self.job_id, events=batch, attempt=self.attempt
                )):
                    self.cancel_requested = True
            elif (self.attempt is not None
                  and time.monotonic() - self._last_flush >= settings.JOB_HEARTBEAT_S):
                # Nothing to store for a while (a long step, the model being stored): the
                # job's heart still beats, so the reaper does not take it for lost.
                with_db_retry(lambda: services.job_heartbeat(
                    job_id=self.job_id, attempt=self.attempt))
            else:
                return
        except services.AttemptSuperseded:
            log.warning("job %s: attempt %s was handed on; this worker stops it",
                        self.job_id, self.attempt)
            self.superseded = True
            return
        except BaseException:
            with self._lock:
                self._buffer[:0] = batch  # kept, in order, for the final flush
            raise
        self._last_flush = time.monotonic()

    def _write_in_background(self) -> None:
        try:
            while not self._closing:
                self._wake.wait(settings.EVENT_FLUSH_INTERVAL_S)
                self._wake.clear()
                self._write_pending()
        except BaseException as exc:
            log.exception("job %s: storing events failed", self.job_id)
            self._writer_error = exc
        finally:
            connections.close_all()  # this thread's own connection


class Recorder(Protocol):
    """What ending a job needs of its recorder: an EventRecorder, or a packed job's side
    of its pack's recorder (pack_recording.JobEvents)."""

    job_id: int
    attempt: int | None
    superseded: bool

    def flush(self) -> None: ...


def end_with_model(recorder: Recorder, job, result, *,
                   training_seconds: float | None = None) -> None:
    if recorder.superseded:
        return  # the attempt that replaced this one stores its own model

    try:
        with_db_retry(lambda: store_trained_model(
            job_id=job.pk, config=job.config, model=result.model,
            normalization=result.normalization.as_dict(),
        ))
    except Exception as exc:
        log.exception("job %s: could not store its trained model", job.pk)
        end(recorder, JobStatus.FAILED, result=result.summary,
            error=f"Training finished, but its model could not be stored: {exc}",
            training_seconds=training_seconds)
    else:
        end(recorder, JobStatus.SUCCEEDED, result=result.summary,
            training_seconds=training_seconds)


def end(recorder: Recorder, status: str, *, error: str = "", result=None,
        training_seconds: float | None = None) -> None:
    """Store what is left and end the job, unless this attempt was handed on meanwhile."""
    recorder.flush()
    if recorder.superseded:
        return
    with_db_retry(lambda: services.job_finish(
        job_id=recorder.job_id, status=status, error=error, result=result,
        attempt=recorder.attempt, training_seconds=training_seconds,
    ))


def time_limit_message() -> str:
    return f"The job reached the time limit of {settings.JOB_TIME_LIMIT_S} s and was stopped."
