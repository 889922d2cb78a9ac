"""The web process reuses its PostgreSQL connections (dlplatform/db/pool.py), never dirty
or dead ones, and still holds at most DB_MAX_CONNECTIONS of them."""

import asyncio
import contextlib
import select
import threading
from collections.abc import Iterator

import httpx
import psycopg2
import pytest
from django.core.asgi import get_asgi_application
from django.db import OperationalError, connection, connections

from dlplatform.db import pool
from tests.fixtures.accounts import new_key

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pool")


def _requests(paths: list[str], token: str) -> list[httpx.Response]:
    """Each path through the ASGI app, one after another: each request's database work runs
    in a thread of its own, as under uvicorn."""
    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=get_asgi_application())
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            headers = {"Authorization": f"Token {token}"}
            return [await client.get(path, headers=headers) for path in paths]
    return asyncio.run(run())


def _statuses(paths: list[str], token: str) -> list[int]:
    return [response.status_code for response in _requests(paths, token)]


def _other_session():
    """A psycopg2 connection of its own, outside the pool and Django."""
    return psycopg2.connect(**connection.get_connection_params())


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@contextlib.contextmanager
def _connections_held_by_two_threads() -> Iterator[list[int]]:
    """Two threads each take a connection (the small pool's two) and hold it until the
    block ends; yields their backends' pids."""
    release = threading.Event()
    pids: list[int] = []
    held = threading.Barrier(3)

    def hold() -> None:
        pids.append(_backend_pid())
        held.wait(10)
        release.wait(10)
        connections.close_all()

    holders = [threading.Thread(target=hold) for _ in range(2)]
    for thread in holders:
        thread.start()
    try:
        held.wait(10)
        yield pids
    finally:
        release.set()
        for thread in holders:
            thread.join(10)


@pytest.fixture
def small_pool(settings, monkeypatch):
    """This process's pool replaced by a real one of two connections."""
    connections.close_all()
    settings.DB_CONNECTION_WAIT_S = 0.5
    fresh = pool.ConnectionPool(2)
    monkeypatch.setattr(pool, "_pool", fresh)
    yield fresh
    connections.close_all()
    fresh.close_idle()


@pytest.mark.django_db(transaction=True)
def test_sequential_requests_share_a_connection(user):
    token = new_key(user)
    connections.close_all()
    opened = pool.current().opened
    assert _statuses(["/api/v1/jobs/"] * 20, token) == [200] * 20
    assert pool.current().opened - opened <= 1


@pytest.mark.django_db(transaction=True)
def test_a_connection_closed_in_a_failed_transaction_comes_back_clean(user):
    connections.close_all()
    pid = _backend_pid()
    connection.set_autocommit(False)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE auth_user SET first_name = 'dirty' WHERE id = %s", [user.pk])
        with pytest.raises(Exception, match="division by zero"):
            cursor.execute("SELECT 1 / 0")
    connection.close()  # not committed, not rolled back: in a failed transaction

    assert _backend_pid() == pid  # the same connection, reused
    assert connection.get_autocommit()
    with connection.cursor() as cursor:
        cursor.execute("SELECT first_name FROM auth_user WHERE id = %s", [user.pk])
        assert cursor.fetchone()[0] != "dirty"


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_ended_is_replaced_without_a_failed_request(user):
    token = new_key(user)
    connections.close_all()
    pid = _backend_pid()
    socket = connection.connection.fileno()
    connection.close()  # idle in the pool now
    with _other_session() as other, other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone()[0]
    # The backend has written its goodbye (an error, then end of file) when it is gone.
    assert select.select([socket], [], [], 10)[0]

    assert _statuses(["/api/v1/jobs/"], token) == [200]
    assert _backend_pid() != pid


@pytest.mark.django_db(transaction=True)
def test_at_the_cap_a_connection_waits_for_one_to_come_back_then_gives_up(small_pool, user):
    connections.close_all()
    held = [threading.Event(), threading.Event()]
    release = threading.Event()
    pids: dict[str, int] = {}

    def hold(name: str, ready: threading.Event) -> None:
        pids[name] = _backend_pid()
        ready.set()
        release.wait(10)
        connections.close_all()  # back to the pool

    holders = [threading.Thread(target=hold, args=(f"h{i}", held[i])) for i in range(2)]
    for thread in holders:
        thread.start()
    for event in held:
        assert event.wait(10)

    with pytest.raises(OperationalError, match="busy"):
        _backend_pid()  # a third connection: none comes back within the wait
    connections.close_all()

    def wait_for_one() -> None:
        pids["waiter"] = _backend_pid()
        connections.close_all()

    waiter = threading.Thread(target=wait_for_one)
    waiter.start()
    release.set()  # now one comes back while it waits
    for thread in [*holders, waiter]:
        thread.join(10)
    assert pids["waiter"] in (pids["h0"], pids["h1"])
    assert small_pool.opened == 2


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_503_when_every_connection_is_busy(small_pool, user):
    token = new_key(user)
    connections.close_all()
    with _connections_held_by_two_threads():
        [response] = _requests(["/api/v1/jobs/"], token)
    assert response.status_code == 503
    assert response.headers["Retry-After"]


@pytest.mark.django_db(transaction=True)
def test_a_connection_idle_too_long_is_closed_and_the_cap_still_holds(small_pool, settings):
    connections.close_all()
    stale_pid = _backend_pid()
    connection.close()  # idle in the pool
    settings.DB_POOL_MAX_IDLE_S = 0
    with _connections_held_by_two_threads() as pids:
        assert stale_pid not in pids
        with pytest.raises(OperationalError, match="busy"):
            _backend_pid()  # two are open: the stale one no longer counts, and nor may more


@pytest.mark.django_db(transaction=True)
def test_a_connection_given_back_after_the_pool_closed_is_closed(small_pool):
    """A test run drops its database after closing the pool: a thread still finishing a
    read must not leave its connection open, or the drop is refused."""
    connections.close_all()
    pid = _backend_pid()
    small_pool.close()
    connection.close()  # given back after the pool closed
    assert _backend_pid() != pid
