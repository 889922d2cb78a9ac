"""Server-Sent Events: a line parser, and a reader that reconnects with Last-Event-ID.

The parser follows the WHATWG event-stream rules (fields `event`, `data`, `id`, `retry`;
comments; multi-line data joined with newlines; an event is dispatched at a blank line),
because the platform's stream is plain SSE and may pass proxies that re-chunk it.

The reader exists because a training run outlives many connections: Wi-Fi drops, proxies
cut idle streams. On a dropped connection it reconnects after the server's `retry:` delay
with Last-Event-ID set to the newest event seen, and the server replays what came after.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import httpx

from dlclient.api import ApiError

DEFAULT_RETRY_S = 1.0
MAX_RETRY_S = 30.0
# The server's note that it ends the stream (too many streams): `stream-error`, sent with no
# id; servers before the rename (the name collided with a browser EventSource's own
# `error`) sent `error` with id 0.
STREAM_ERROR_EVENTS = ("stream-error", "error")
# Consecutive connection attempts that bring no new event before the reader gives up.
MAX_FAILURES = 8


@dataclass(frozen=True)
class SseEvent:
    event: str  # "message" when the block had no `event:` field
    data: str
    id: str | None = None  # this block's own `id:` field, if it had one

    def json(self) -> Any:
        return json.loads(self.data)


class SseParser:
    """Feed it lines (without their line ending); it returns an event at each blank line.

    `last_event_id` is the stream's id buffer, which persists across events as the spec
    says; `retry_ms` is the newest reconnection delay the server asked for.
    """

    def __init__(self) -> None:
        self.last_event_id = ""
        self.retry_ms: int | None = None
        self._first_line = True
        self._reset()

    def _reset(self) -> None:
        self._event = ""
        self._data: list[str] = []
        self._id: str | None = None

    def feed_line(self, line: str) -> SseEvent | None:
        if self._first_line:
            line = line.removeprefix("\ufeff")  # a byte-order mark may open the stream
            self._first_line = False
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None  # a comment, e.g. the server's keepalive
        name, colon, value = line.partition(":")
        if colon:
            value = value.removeprefix(" ")
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            if "\0" not in value:
                self.last_event_id = self._id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self.retry_ms = int(value)
        return None  # unknown fields are ignored

    def feed(self, lines: Iterable[str]) -> Iterator[SseEvent]:
        for line in lines:
            event = self.feed_line(line)
            if event is not None:
                yield event

    def _dispatch(self) -> SseEvent | None:
        if not self._data:  # a block with no data (e.g. only `retry:`) is not an event
            self._reset()
            return None
        event = SseEvent(self._event or "message", "\n".join(self._data), self._id)
        self._reset()
        return event


class ResumePoint:
    """Where to resume: the largest numeric event id seen so far.

    The platform's ids are a job's event seqs, which only grow, so the largest one is where
    to resume, and a numeric id not above it is a replay to skip. Taking the largest (not the
    latest, as a browser does) matters because older servers' in-band `error` event carried
    id 0: taken literally, it would rewind the next connection to the first event.
    """

    def __init__(self, start: str | None = None) -> None:
        self.value = start if start and start.isdigit() else None

    def _best(self) -> int:
        return int(self.value) if self.value is not None else 0

    def is_replay(self, event: SseEvent) -> bool:
        if event.event in STREAM_ERROR_EVENTS or event.id is None or not event.id.isdigit():
            return False
        return int(event.id) <= self._best()

    def advance(self, event: SseEvent) -> None:
        if event.id is not None and event.id.isdigit() and int(event.id) > self._best():
            self.value = event.id


Connect = Callable[[str | None], AbstractContextManager[Iterable[str] | None]]
OnRetry = Callable[[str | None, float, Exception | None], None]


class StreamLost(Exception):
    """The stream could not be resumed after MAX_FAILURES attempts."""


def read_events(connect: Connect, *, last_event_id: str | None = None,
                sleep: Callable[[float], None] = time.sleep,
                on_retry: OnRetry | None = None,
                max_failures: int = MAX_FAILURES) -> Iterator[SseEvent]:
    """Every event of the stream, each once, across as many connections as it takes.

    `connect(last_event_id)` opens a connection and yields its lines, or None when the
    server has nothing more to send (the platform answers 204 once the final event was
    seen); then the reader returns. A dropped connection, a read timeout, a stream that
    ends early, or a 429/503 all lead to a reconnect. Other API errors (401, 404) propagate:
    retrying cannot fix them. The caller stops reading when it has seen the last event.
    """
    resume = ResumePoint(last_event_id)
    delay = DEFAULT_RETRY_S
    failures = 0
    while True:
        problem: Exception | None = None
        asked_wait: float | None = None  # a 429/503's Retry-After, for this attempt only
        try:
            with connect(resume.value) as lines:
                if lines is None:
                    return
                parser = SseParser()
                for event in parser.feed(lines):
                    if parser.retry_ms is not None:
                        delay = parser.retry_ms / 1000
                    if resume.is_replay(event):
                        continue
                    resume.advance(event)
                    failures = 0
                    yield event
                if parser.retry_ms is not None:
                    delay = parser.retry_ms / 1000
        except httpx.TransportError as exc:
            problem = exc
        except ApiError as exc:
            if exc.status not in (429, 503):
                raise
            problem, asked_wait = exc, exc.retry_after
        failures += 1
        if failures > max_failures:
            raise StreamLost(
                f"The event stream broke {max_failures} times in a row: {problem or 'ended'}"
            ) from problem
        wait = asked_wait if asked_wait is not None else min(
            delay * 2 ** max(failures - 2, 0), MAX_RETRY_S)
        if on_retry is not None:
            on_retry(resume.value, wait, problem)
        sleep(wait)
