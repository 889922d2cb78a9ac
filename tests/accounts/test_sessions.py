"""A learner's session is read from the shared cache and kept in the database
(dlplatform/sessions.py), and every cache object of a process shares one Redis connection
pool (dlplatform/redis_pool.py): under uvicorn each request made its own cache object, and
with it a new connection to Redis."""

import threading

import pytest
import redis
from django.core.cache import cache, caches

pytestmark = pytest.mark.django_db

DEAD_REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": "redis://127.0.0.1:1/0"}}  # nothing listens


@pytest.fixture
def learner(django_user_model):
    return django_user_model.objects.create_user("learner", password="pw-learner-123")


def logged_in(client) -> bool:
    """The dashboard is for learners who are logged in; others are sent to log in."""
    status = client.get("/dashboard/").status_code
    assert status in (200, 302)
    return status == 200


def test_a_page_reads_the_session_from_the_cache(client, learner, django_assert_num_queries):
    client.force_login(learner)
    client.get("/dashboard/")
    with django_assert_num_queries(0):
        assert client.session["_auth_user_id"] == str(learner.pk)


def test_a_session_the_cache_lost_is_read_from_the_database(client, learner):
    client.force_login(learner)
    cache.clear()
    assert logged_in(client)


def test_pages_keep_their_learner_when_the_cache_is_down(client, settings, learner):
    client.force_login(learner)
    settings.CACHES = DEAD_REDIS
    assert logged_in(client)


def test_logging_out_ends_the_session_in_the_cache_too(client, learner):
    client.force_login(learner)
    cookie = client.cookies["sessionid"].value
    assert logged_in(client)
    client.post("/accounts/logout/")
    client.cookies["sessionid"] = cookie  # the old cookie, replayed
    assert not logged_in(client)


def test_cache_objects_of_every_thread_share_one_connection_pool():
    pools = []

    def use_the_cache() -> None:
        # A thread (as a request under uvicorn is a context) gets a cache object of its own.
        own = caches["default"]
        own.get("anything")
        pools.append(own._cache._get_connection_pool(write=False))

    threads = [threading.Thread(target=use_the_cache) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(pool) for pool in pools}) == 1
    assert isinstance(pools[0], redis.ConnectionPool)
