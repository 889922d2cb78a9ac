"""Open event streams do not hold a thread each in the web process: with forty streams of a
running job open on the platform's uvicorn, the process has about as many threads as with
one. (Django keeps a thread per request for as long as the request lasts; an event stream
lasts as long as a run, so 1,000 viewers held 1,000 idle threads: see dlplatform/asgi.py.)"""

import socket
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from accounts import tokens
from jobs.models import JobEvent, JobStatus, TrainingJob

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

STREAMS = 40


def thread_count(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    raise AssertionError(f"no thread count for {pid}")


def open_stream(url: str, path: str, key: str) -> socket.socket:
    """A raw SSE request, read until the stored `running` status event arrives."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=60)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Token {key}\r\n"
                 "Accept: text/event-stream\r\n\r\n".encode())
    received = b""
    while b"event: status" not in received:
        chunk = sock.recv(4096)
        assert chunk, received
        received += chunk
    assert received.startswith(b"HTTP/1.1 200"), received
    return sock


def running_job_of(name: str) -> tuple[str, str]:
    """A learner with a running job: the job's stream path and the learner's key."""
    owner = User.objects.create_user(name, password=f"pw-{name}-1")
    _, key = tokens.create_token(owner, name="streams")
    job = TrainingJob.objects.create(owner=owner, config={}, status=JobStatus.RUNNING, last_seq=1)
    JobEvent.objects.create(job=job, seq=1, type="status", payload={"status": "running"})
    return f"/api/v1/jobs/{job.pk}/events/", key


def test_forty_open_streams_hold_no_thread_each(live_platform):
    # Ten streams per learner: under the cap of open streams a learner may hold.
    learners = [running_job_of(f"streamer{i}") for i in range(STREAMS // 10)]
    pid = live_platform.web.pid
    streams = [open_stream(live_platform.url, *learners[0])]
    with_one = thread_count(pid)
    try:
        streams += [open_stream(live_platform.url, *learners[i // 10])
                    for i in range(1, STREAMS)]
        with_all = thread_count(pid)
    finally:
        for sock in streams:
            sock.close()
        TrainingJob.objects.filter(owner__username__startswith="streamer").update(
            status=JobStatus.CANCELLED)
    # The default executor may start a few threads for the event reads; not one per stream.
    assert with_all - with_one < 10, (with_one, with_all)
