import os

import pytest
from hypothesis import settings as hypothesis_settings

from tests.environment import RUN_ID

# Hypothesis draws the same examples on every machine: no seed from the clock and no saved
# example database (a developer's local `.hypothesis/` made a generator look better than it
# is on a fresh clone). `HYPOTHESIS_PROFILE=explore` draws fresh examples, to hunt for bugs.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", database=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

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


@pytest.fixture(scope="session", autouse=True)
def _static_names_unhashed_in_this_process():
    """Pages rendered by the test client name static files as they are in static/: hashed
    names need collectstatic's manifest, which the live platform builds for its servers
    (tests/fixtures/live_platform.py) and tests/test_static_files.py checks."""
    from django.conf import settings
    from django.test import override_settings

    storages = dict(settings.STORAGES, staticfiles={
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"})
    with override_settings(STORAGES=storages):
        yield


@pytest.fixture(autouse=True)
def _events_written_in_the_training_thread(settings):
    """Jobs run in this process write their events themselves: most tests hold their rows
    in a transaction that a writer thread's own connection could not see. (Workers started
    as subprocesses keep the default writer thread: the integration tests check it.)"""
    settings.EVENT_WRITER_THREAD = False


@pytest.fixture(autouse=True)
def _jobs_submitted_here_stay_here(request, settings):
    """Unless a test asks for the live platform, jobs submitted in this process go to a queue
    no worker reads. The session's live platform (started by the first test that needs it)
    consumes DLP_JOB_QUEUE; a test that submits a committed job and then runs it in-process
    would otherwise race that worker."""
    if "live_platform" not in request.fixturenames:
        settings.JOB_QUEUE = f"{os.environ['DLP_JOB_QUEUE']}-in-process"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with no throttling counters left by another."""
    yield
    _delete_redis_keys(f"{os.environ['DLP_CACHE_PREFIX']}:*")


def pytest_collection_modifyitems(config, items):
    """Browser tests last: their Playwright session keeps an event loop running in the main
    thread (and sets DJANGO_ALLOW_ASYNC_UNSAFE), which no other test should run beside.

    Under pytest-xdist (`-n N`) pyproject's `--dist loadfile --no-loadscope-reorder` sends
    each test file whole to one worker, in this order: a worker takes files in collection
    order, so browser tests stay last in each worker (which starts its own servers and
    Chromium), and a module-scoped fixture (a trained model, a fresh install, collected
    static files) is built once, not once per worker. (`xdist_group` marks do nothing with
    pytest-xdist 3.8 on pytest 9.2: xdist renames items through an attribute pytest no
    longer reads; a test that must run beside another goes in the same file.)"""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
