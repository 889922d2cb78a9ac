"""PostgreSQL with a cap on the connections one process opens at once.

Under ASGI every request (and every open event stream) runs its database work in a thread
of its own, so a burst of requests would open one connection each and exhaust the
server's max_connections. Here a connection waits for one of DB_MAX_CONNECTIONS slots
instead (and gives up with OperationalError, a 503, after DB_CONNECTION_WAIT_S).
"""

import threading

from django.conf import settings
from django.db import OperationalError
from django.db.backends.postgresql import base

_slots: threading.BoundedSemaphore | None = None
_slots_lock = threading.Lock()


def _connection_slots() -> threading.BoundedSemaphore:
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(settings.DB_MAX_CONNECTIONS)
        return _slots


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_slot = False

    def get_new_connection(self, conn_params):
        if not _connection_slots().acquire(timeout=settings.DB_CONNECTION_WAIT_S):
            raise OperationalError("all database connections of this process are busy")
        try:
            connection = super().get_new_connection(conn_params)
        except Exception:
            _connection_slots().release()
            raise
        self._holds_slot = True
        return connection

    def _close(self):
        try:
            super()._close()
        finally:
            if self._holds_slot:
                self._holds_slot = False
                _connection_slots().release()
