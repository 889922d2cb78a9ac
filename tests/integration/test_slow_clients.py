"""uvicorn as the platform starts it (dlplatform/serving.py) does not let a slow client hold
a connection: a request head must arrive within the deadline, however it is dripped, and an
idle keep-alive connection is closed; a normal request is unaffected."""

import os
import socket
import subprocess
import sys
import time

import pytest

from dlplatform.serving import KEEP_ALIVE_TIMEOUT_S, UVICORN_OPTIONS
from tests.fixtures.live_platform import ROOT, free_port

HEADER_TIMEOUT_S = 1.5


@pytest.fixture(scope="module")
def server_port(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("slow-clients") / "web.log"
    env = dict(os.environ, DLP_HTTP_HEADER_TIMEOUT_S=str(HEADER_TIMEOUT_S),
               DJANGO_ALLOWED_HOSTS="127.0.0.1")
    web = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "dlplatform.asgi:application",
         "--host", "127.0.0.1", "--port", str(port), *UVICORN_OPTIONS],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if get_healthz(port).startswith(b"HTTP/1.1 200"):
                    break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail(f"uvicorn did not answer:\n{log.read_text()}")
        yield port
    finally:
        web.terminate()
        web.wait(timeout=20)


def get_healthz(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(b"GET /healthz/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        return read_until_closed(sock, timeout=60)


def read_until_closed(sock: socket.socket, timeout: float) -> bytes:
    """Everything the server sends until it closes the connection (or the timeout)."""
    sock.settimeout(timeout)
    received = b""
    while chunk := sock.recv(4096):
        received += chunk
    return received


def seconds_until_closed(sock: socket.socket, *, drip: bytes = b"") -> float:
    """Send `drip` a byte every 0.2 s (if any) and time how long the server keeps us."""
    started = time.monotonic()
    sock.setblocking(False)
    while time.monotonic() - started < 10:
        try:
            if sock.recv(4096) == b"":
                return time.monotonic() - started
        except BlockingIOError:
            pass
        if drip:
            try:
                sock.send(drip[:1])
            except OSError:
                return time.monotonic() - started
            drip = drip[1:] or b"X"
        time.sleep(0.2)
    return float("inf")


def test_a_normal_request_is_served(server_port):
    assert get_healthz(server_port).startswith(b"HTTP/1.1 200")


def test_a_connection_that_sends_nothing_is_closed(server_port):
    with socket.create_connection(("127.0.0.1", server_port)) as sock:
        assert seconds_until_closed(sock) < HEADER_TIMEOUT_S + 1.5


def test_a_head_dripped_byte_by_byte_is_cut_at_the_deadline(server_port):
    with socket.create_connection(("127.0.0.1", server_port)) as sock:
        sock.sendall(b"GET /healthz/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        held = seconds_until_closed(sock, drip=b"X-Slow: " + b"a" * 200)
        assert held < HEADER_TIMEOUT_S + 1.5


def test_an_idle_keep_alive_connection_is_closed(server_port):
    with socket.create_connection(("127.0.0.1", server_port)) as sock:
        sock.sendall(b"GET /healthz/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        sock.settimeout(30)
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        assert seconds_until_closed(sock) < KEEP_ALIVE_TIMEOUT_S + 1.5


def test_a_head_that_grows_past_the_limit_is_refused(server_port):
    """h11 holds at most MAX_HEAD_BYTES of a head still incomplete: a client cannot make the
    server buffer an endless head."""
    with socket.create_connection(("127.0.0.1", server_port)) as sock:
        sock.sendall(b"GET /healthz/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 20_000)
        assert read_until_closed(sock, timeout=10).startswith(b"HTTP/1.1 400")
