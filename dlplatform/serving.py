"""How uvicorn serves the platform: one set of options for every place that starts it
(`manage.py up`, docker compose, the Dockerfile, the tests' live platform).

A slow client must not hold a connection forever. uvicorn bounds an idle keep-alive
connection (--timeout-keep-alive) and, with h11, the size of a request's head
(--h11-max-incomplete-event-size), but it has no deadline for the head itself: a client
that sends a header line every few seconds (slowloris) keeps its connection, and its
file descriptor, for as long as it likes. H11WithHeaderTimeout adds that deadline: the
whole head must arrive within HEADER_TIMEOUT_S of its first byte (or of the connection's
opening), or the connection is closed. Bodies and responses are not timed here: an event
stream lasts as long as its run. A proxy in front (docs/scaling.md) bounds those too.
"""

import logging
import os

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)

HEADER_TIMEOUT_S = float(os.environ.get("DLP_HTTP_HEADER_TIMEOUT_S") or 10)
KEEP_ALIVE_TIMEOUT_S = 5
MAX_HEAD_BYTES = 16 * 1024  # h11's default, said aloud: a larger head gets 400 and a close

UVICORN_OPTIONS = [
    "--http", "dlplatform.serving:H11WithHeaderTimeout",
    "--timeout-keep-alive", str(KEEP_ALIVE_TIMEOUT_S),
    "--h11-max-incomplete-event-size", str(MAX_HEAD_BYTES),
]


class H11WithHeaderTimeout(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's head."""

    _head_deadline = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._start_head_deadline()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._start_head_deadline()  # a head has begun (or is still coming)
        else:
            self._cancel_head_deadline()

    def connection_lost(self, exc) -> None:
        self._cancel_head_deadline()
        super().connection_lost(exc)

    def _start_head_deadline(self) -> None:
        if self._head_deadline is None:  # fixed from the first byte: a drip does not extend it
            self._head_deadline = self.loop.call_later(HEADER_TIMEOUT_S, self._head_too_slow)

    def _cancel_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            log.info("closing a connection whose request head took over %s s", HEADER_TIMEOUT_S)
            self.transport.close()
