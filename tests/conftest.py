"""Test-wide setup: the suite runs on PostgreSQL and Redis, as production does.

Override with DATABASE_URL / REDIS_URL; the defaults are the machine's local services.
pytest-django creates (and drops) its own `test_…` database next to the named one.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dlplatform")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
