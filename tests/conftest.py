import os

import pytest

from tests.environment import RUN_ID

pytest_plugins = ["tests.fixtures.accounts", "tests.fixtures.live_platform"]


@pytest.fixture(scope="session", autouse=True)
def _remove_test_queue():
    """Remove this run's Celery queue and bindings from Redis."""
    yield
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    keys = list(client.scan_iter(match=f"*test-{RUN_ID}*"))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with no throttling counters left by another."""
    yield
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    keys = list(client.scan_iter(match=f"{os.environ['DLP_CACHE_PREFIX']}:*"))
    if keys:
        client.delete(*keys)
