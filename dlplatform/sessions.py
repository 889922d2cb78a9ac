"""Sessions read from the shared cache, stored in the database (Django's cached_db), that
keep working when the cache is down.

Every page a learner opens reads their session: from Redis that is one round trip, where
the database costs a query. Django's cached_db already falls back to the database when a
read from the cache fails, but then fails the request when it puts the session back in the
cache. Here that write is skipped with a warning: pages are served from the database
during a cache outage, as the lesson pages are (lessons/content_cache.py). Deleting a
session (logging out) still fails when the cache is down, as in Django: a session that
the database forgot but the cache kept would let its cookie in again once the cache is
back.
"""

import logging

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore

log = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    def load(self) -> dict:
        try:
            return super().load()
        except Exception:  # noqa: BLE001 - the cache is down: read the database alone
            log.warning("session cache unavailable; reading the session from the database",
                        exc_info=True)
            return DatabaseStore.load(self)
