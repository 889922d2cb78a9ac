"""PostgreSQL with a cap on the connections one process opens at once, and those
connections reused (dlplatform/db/pool.py says how, and why not a library).

Under ASGI every request (and every open event stream) runs its database work in a thread
of its own, so Django's persistent connections (CONN_MAX_AGE) would leave one connection
per thread, and without them every request paid for a new connection (a PostgreSQL
backend started, authenticated and set up: about half of a job list's time). Here
Django's close() gives the connection back to the process's pool (DLP_DB_POOL, on by
default), and a burst waits for one of DB_MAX_CONNECTIONS instead of exhausting the
server's max_connections (giving up with OperationalError, a 503, after
DB_CONNECTION_WAIT_S).
"""

from django.conf import settings
from django.db.backends.postgresql import base, creation
from django.db.backends.postgresql.psycopg_any import IsolationLevel

from dlplatform.db import pool


class DatabaseCreation(creation.DatabaseCreation):
    """PostgreSQL refuses to drop or copy a database that sessions are connected to: the
    pool's idle connections to the test database close first (and before a drop, those
    that threads still finishing give back close too, as without the pool)."""

    def _destroy_test_db(self, test_database_name, verbosity):
        pool.current().close()
        return super()._destroy_test_db(test_database_name, verbosity)

    def _clone_test_db(self, suffix, verbosity, keepdb=False):
        pool.current().close_idle()
        return super()._clone_test_db(suffix, verbosity, keepdb)


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation
    _pool: pool.ConnectionPool | None = None  # the pool the open connection came from
    _pool_key = ""
    _opened_at = 0.0

    def get_new_connection(self, conn_params):
        self._pool = pool.current()
        self._pool_key = repr(sorted(conn_params.items()))
        connection, self._opened_at, reused = self._pool.checkout(
            self._pool_key, lambda: super(DatabaseWrapper, self).get_new_connection(conn_params))
        if reused:  # what Django's get_new_connection sets on the wrapper, not the connection
            level = self.settings_dict["OPTIONS"].get("isolation_level")
            self.isolation_level = (IsolationLevel.READ_COMMITTED if level is None
                                    else IsolationLevel(level))
        return connection

    def _close(self):
        connection, owner = self.connection, self._pool
        self._pool = None
        if connection is None:
            return
        if owner is None or owner is not pool.current():
            # Opened before this process was forked (Celery's child closes what it
            # inherited): not this pool's to count or keep.
            super()._close()
        elif self.in_atomic_block or not settings.DB_POOL:
            # Closed inside atomic(), Django keeps using this object until the block
            # ends (and fails on it): it cannot go to another thread.
            owner.discard(connection)
        else:
            owner.checkin(self._pool_key, connection, self._opened_at)
