"""One process's open PostgreSQL connections: at most DB_MAX_CONNECTIONS, kept for reuse.

Why our own and not django-db-connection-pool (SQLAlchemy's QueuePool under Django): that
library builds its pool from the first connection's parameters for the life of the
process (a test run that switches to its test database, or a second database name, would
get the first one's connections), does nothing at fork (Celery's prefork children would
share the parent's sockets), and signals a full pool with SQLAlchemy's TimeoutError, where
our views answer 503 to Django's OperationalError; it also brings SQLAlchemy and sqlparams
in for one class. Django's own pool needs psycopg 3. What a pool must do beyond our cap
is small, because Django sets a connection up (autocommit, time zone) on every checkout:

- checkin: a connection goes back only if it is open, in this process, within its
  lifetime, and resets cleanly (rolled back out of any transaction, autocommit on);
  anything else is closed, so no transaction state crosses from one request to the next.
- checkout: the newest idle connection first; one idle longer than DB_POOL_MAX_IDLE_S or
  older than DB_POOL_MAX_LIFETIME_S is closed. A health check costs no round trip: an idle
  connection should have nothing to read, and a backend that was terminated (a PostgreSQL
  restart, pg_terminate_backend) leaves its error message and EOF on the socket, so a
  readable socket means drop it and take or open another. One idle longer than
  DB_POOL_PING_AFTER_S also answers a SELECT 1 (a network that went away sends nothing).
- the cap: idle and busy connections both count; a caller at the cap waits for a
  connection to come back or close, up to DB_CONNECTION_WAIT_S, then OperationalError.
- fork: the parent closes its idle connections before forking (a child closing an
  inherited one would end the parent's session), and the child starts an empty pool.
"""

import contextlib
import os
import select
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError
from psycopg2 import extensions
from psycopg2.extensions import connection as PgConnection


@dataclass(eq=False)  # `in` compares by identity
class Idle:
    connection: PgConnection
    key: str  # the parameters it was opened with: a test database is another key
    opened_at: float
    idle_since: float


def _close_quietly(connection: PgConnection) -> None:
    with contextlib.suppress(Exception):  # a broken connection may fail to close: gone anyway
        connection.close()


def _has_input(connection: PgConnection) -> bool:
    """True if the server sent something (or hung up) while nobody asked: poll, not select,
    because a web process with a thousand open streams has file descriptors above 1024."""
    poller = select.poll()
    poller.register(connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


class ConnectionPool:
    def __init__(self, size: int) -> None:
        self.size = size
        self.pid = os.getpid()
        self.opened = 0  # every connection ever opened: the tests count reuse with it
        self._lock = threading.Lock()
        self._returned = threading.Condition(self._lock)
        self._open = 0  # idle and busy
        self._idle: list[Idle] = []
        self._keeping = True  # False once closed: what comes back is closed too

    def checkout(
        self, key: str, open_new: Callable[[], PgConnection]
    ) -> tuple[PgConnection, float, bool]:
        """A healthy connection for `key`, when it was opened and whether it is reused: an
        idle one, or a new one while under the cap, or the first to come back within
        DB_CONNECTION_WAIT_S."""
        deadline = time.monotonic() + settings.DB_CONNECTION_WAIT_S
        while True:
            reuse, stale = self._take(key, deadline)
            for entry in stale:  # their slots were given up in _take
                _close_quietly(entry.connection)
            if reuse is None:
                break
            if self._healthy(reuse):
                return reuse.connection, reuse.opened_at, True
            self._discard(reuse.connection)
        try:
            connection = open_new()
        except BaseException:
            self._release_slot()
            raise
        with self._lock:
            self.opened += 1
        return connection, time.monotonic(), False

    def checkin(self, key: str, connection: PgConnection, opened_at: float) -> None:
        now = time.monotonic()
        if (not self._keeping or connection.closed
                or now - opened_at > settings.DB_POOL_MAX_LIFETIME_S):
            self._discard(connection)
            return
        try:
            if connection.get_transaction_status() != extensions.TRANSACTION_STATUS_IDLE:
                connection.rollback()
            if not connection.autocommit:
                connection.autocommit = True
        except Exception:  # noqa: BLE001 -- one that cannot be reset is not reused
            self._discard(connection)
            return
        with self._lock:
            self._idle.append(Idle(connection, key, opened_at, now))
            self._returned.notify()

    def discard(self, connection: PgConnection) -> None:
        """Close a connection that came from this pool and must not be reused."""
        self._discard(connection)

    def close(self) -> None:
        """Close the idle connections, and from now on every one given back (a test run
        dropping its database: a thread still reading must not leave one open)."""
        self._keeping = False
        self.close_idle()

    def close_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
            self._open -= len(idle)
            self._returned.notify_all()
        for entry in idle:
            _close_quietly(entry.connection)

    def _take(self, key: str, deadline: float) -> tuple[Idle | None, list[Idle]]:
        """Under the lock: (an idle connection to check, stale ones to close), or (None,
        stale ones to close) once a slot for a new connection is held; OperationalError
        when neither comes by the deadline."""
        with self._lock:
            while True:
                now = time.monotonic()
                stale = [e for e in self._idle if now - e.idle_since > settings.DB_POOL_MAX_IDLE_S]
                if stale:
                    self._idle = [e for e in self._idle if e not in stale]
                    self._open -= len(stale)  # closed by the caller, outside the lock
                for index in range(len(self._idle) - 1, -1, -1):  # the newest first
                    if self._idle[index].key == key:
                        return self._idle.pop(index), stale
                if self._open >= self.size and self._idle:
                    stale.append(self._idle.pop(0))  # another database's: make room
                    self._open -= 1
                if self._open < self.size:
                    self._open += 1
                    return None, stale
                if now >= deadline:  # nothing was stale, or the slots would be free
                    raise OperationalError("all database connections of this process are busy")
                self._returned.wait(deadline - now)

    def _healthy(self, entry: Idle) -> bool:
        now = time.monotonic()
        if now - entry.opened_at > settings.DB_POOL_MAX_LIFETIME_S:
            return False
        try:
            if entry.connection.closed or _has_input(entry.connection):
                return False
            if now - entry.idle_since > settings.DB_POOL_PING_AFTER_S:
                with entry.connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
        except Exception:  # noqa: BLE001 -- any failure here means: open another
            return False
        return True

    def _discard(self, connection: PgConnection) -> None:
        _close_quietly(connection)
        self._release_slot()

    def _release_slot(self) -> None:
        with self._lock:
            self._open -= 1
            self._returned.notify()


_pool: ConnectionPool | None = None
_pool_lock = threading.Lock()


def current() -> ConnectionPool:
    """This process's pool (a forked child gets a new, empty one)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool.pid != os.getpid():
            _pool = ConnectionPool(settings.DB_MAX_CONNECTIONS)
        return _pool


def _before_fork() -> None:
    _pool_lock.acquire()
    if _pool is not None and _pool.pid == os.getpid():
        _pool.close_idle()


def _after_fork() -> None:
    _pool_lock.release()


os.register_at_fork(before=_before_fork, after_in_parent=_after_fork, after_in_child=_after_fork)
