import os

import pytest

from tests.environment import RUN_ID

pytest_plugins = ["tests.fixtures.accounts", "tests.fixtures.live_platform"]


def _delete_redis_keys(pattern: str) -> None:
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    keys = list(client.scan_iter(match=pattern))
    if keys:
        client.delete(*keys)


@pytest.fixture(scope="session", autouse=True)
def _remove_test_queue():
    """Remove this run's Celery queue, bindings and channels from Redis."""
    yield
    _delete_redis_keys(f"*test-{RUN_ID}*")


@pytest.fixture(autouse=True)
def _events_written_in_the_training_thread(settings):
    """Jobs run in this process write their events themselves: most tests hold their rows
    in a transaction that a writer thread's own connection could not see. (Workers started
    as subprocesses keep the default writer thread: the integration tests check it.)"""
    settings.EVENT_WRITER_THREAD = False


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with no throttling counters left by another."""
    yield
    _delete_redis_keys(f"{os.environ['DLP_CACHE_PREFIX']}:*")


def pytest_collection_modifyitems(config, items):
    """Browser tests last: their Playwright session keeps an event loop running in the main
    thread (and sets DJANGO_ALLOW_ASYNC_UNSAFE), which no other test should run beside."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
