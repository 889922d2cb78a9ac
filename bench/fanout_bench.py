"""Fan-out latency and memory per open event stream, one command:

    python bench/fanout_bench.py [--viewers 1,50,500] [--events 50] [--label after]
    python bench/fanout_bench.py --many 2000x200 [--events 10]

`--many VxJ` is the class-sized load instead: V viewers spread over J distinct running jobs
and over two uvicorn processes (the bench's server and a second one on the next port, as a
deployment scales web processes), every job publishing; it reports the latency, each
process's memory per open stream, and each process's Redis subscription connections
(CLIENT LIST: connections named dlp-web-<pid> holding subscriptions; the goal is one per
process, whatever the number of jobs).

Starts uvicorn on a fresh database (no Celery worker: this bench is the worker). For each
viewer count N it makes a job row in the `running` state, opens N Server-Sent Events
streams on it through the real server, then emits events the way the worker does: store
the row, then `live.publish` (the function the worker calls after each flush), taking the
time just before the publish. Each client notes when the event's `id:` line arrives.

1. Fan-out latency: publish → each viewer, p50/p95/p99 per N (target p95 < 50 ms).
2. Memory per open stream: RSS of the uvicorn process with the streams open minus before
   they opened, divided by N; and the Redis connections that process holds.

The bench server runs with DLP_SSE_MAX_STREAMS_PER_USER=100000 (all viewers are one user,
the default cap is 12) and DLP_DB_MAX_CONNECTIONS=40. The clients are raw asyncio
streams (httpx costs too much CPU at 500 streams on 2 cores) in this process, which shares
the cores with the server: the p99 at 500 includes the clients' own queueing.
"""

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import httpx  # noqa: E402
import redis  # noqa: E402
from harness import ROOT, Platform, percentile, print_table, rss_mb, save_results, tcp_connections  # noqa: E402, I001

REDIS_PORT = 6379
OPENING_WAVE = 100
SERVER_ENV = {"DLP_SSE_MAX_STREAMS_PER_USER": "100000", "DLP_DB_MAX_CONNECTIONS": "40"}


class Viewer:
    """One SSE client on a raw socket: sends the GET, notes the arrival time of every
    `id:` line until the final event's id."""

    def __init__(self) -> None:
        self.arrivals: dict[int, float] = {}
        self.ready = asyncio.Event()  # the replayed `running` event arrived
        self.error: str | None = None

    async def follow(self, port: int, path: str, auth: str, final_seq: int) -> None:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError as exc:
            self.error = repr(exc)
            self.ready.set()
            return
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {auth}\r\n"
                     "Accept: text/event-stream\r\n\r\n".encode())
        try:
            await self._read(reader, final_seq)
        finally:
            writer.close()

    async def _read(self, reader: asyncio.StreamReader, final_seq: int) -> None:
        status = await reader.readline()
        if b" 200 " not in status:
            self.error = status.decode().strip()
            self.ready.set()
            return
        while line := await reader.readline():
            if not line.startswith(b"id: "):
                continue
            seq = int(line[4:])
            self.arrivals[seq] = time.perf_counter()
            self.ready.set()
            if seq >= final_seq:
                return
        self.error = self.error or "stream closed early"
        self.ready.set()


def make_running_job(owner: str) -> int:
    """A job row as the worker leaves it once running: status event stored as seq 1."""
    from django.contrib.auth.models import User

    from jobs.models import JobEvent, JobStatus, TrainingJob

    job = TrainingJob.objects.create(owner=User.objects.get(username=owner), config={},
                                     status=JobStatus.RUNNING, last_seq=1)
    JobEvent.objects.create(job=job, seq=1, type="status", payload={"status": "running"})
    return job.pk


def emit(job_id: int, seq: int, event_type: str, payload: dict) -> float:
    """Store the event, then publish it as the worker does; the time of the publish."""
    from django.db import transaction

    from jobs import live
    from jobs.models import JobEvent, TrainingJob

    with transaction.atomic():
        JobEvent.objects.create(job_id=job_id, seq=seq, type=event_type, payload=payload)
        TrainingJob.objects.filter(pk=job_id).update(last_seq=seq)
    published_at = time.perf_counter()
    live.publish(job_id, [{"seq": seq, "type": event_type, "payload": payload}])
    return published_at


async def measure(platform: Platform, viewers: int, events: int, interval: float) -> dict:
    job_id = await asyncio.to_thread(make_running_job, "bench")
    final_seq = events + 2
    path = f"/api/v1/jobs/{job_id}/events/"
    rss_before = rss_mb(platform.web.pid)
    clients = [Viewer() for _ in range(viewers)]
    tasks = [asyncio.create_task(c.follow(platform.port, path, platform.headers["Authorization"],
                                          final_seq)) for c in clients]
    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(c.ready.wait() for c in clients)), 120)
    connect_s = time.perf_counter() - started
    await asyncio.sleep(1.0)  # let the server settle before reading its memory
    rss_open = rss_mb(platform.web.pid)
    redis_conns = tcp_connections(platform.web.pid, REDIS_PORT)
    published: dict[int, float] = {}
    for seq in range(2, final_seq):
        payload = {"step": seq, "loss": 0.5, "emitted_at": time.time()}
        published[seq] = await asyncio.to_thread(emit, job_id, seq, "metric", payload)
        await asyncio.sleep(interval)
    await asyncio.to_thread(_finish, job_id, final_seq)
    await asyncio.wait_for(asyncio.gather(*tasks), 60)
    latencies = [(c.arrivals[seq] - t) * 1000 for c in clients for seq, t in published.items()
                 if seq in c.arrivals]
    return {
        "viewers": viewers, "events": events, "samples": len(latencies),
        "missing": viewers * events - len(latencies),
        "errors": sorted({c.error for c in clients if c.error}),
        "p50_ms": percentile(latencies, 0.5), "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99), "max_ms": max(latencies),
        "connect_all_s": connect_s,
        "rss_mb_before": rss_before, "rss_mb_open": rss_open,
        "rss_kb_per_stream": (rss_open - rss_before) * 1024 / viewers,
        "redis_connections_of_web_process": redis_conns,
    }


async def measure_many(platform: Platform, viewers: int, jobs: int, events: int,
                       interval: float) -> dict:
    second = start_second_web(platform)
    try:
        ports = [platform.port, platform.port + 1]
        pids = [platform.web.pid, second.pid]
        job_ids = [await asyncio.to_thread(make_running_job, "bench") for _ in range(jobs)]
        final_seq = events + 2
        auth = platform.headers["Authorization"]
        rss_before = [rss_mb(pid) for pid in pids]
        # Viewer i watches job i mod J through process i mod 2: each job has viewers on both.
        clients = [(Viewer(), job_ids[i % jobs], i % 2) for i in range(viewers)]
        # Viewers arrive in waves of OPENING_WAVE, as a class opens its pages over seconds:
        # 1,000 streams opened in the same instant would each wait for one of a process's
        # DLP_DB_MAX_CONNECTIONS database connections to replay its stored events.
        tasks = []
        for start in range(0, viewers, OPENING_WAVE):
            wave = clients[start:start + OPENING_WAVE]
            tasks += [asyncio.create_task(c.follow(ports[p], f"/api/v1/jobs/{job}/events/",
                                                   auth, final_seq)) for c, job, p in wave]
            await asyncio.wait_for(asyncio.gather(*(c.ready.wait() for c, _, _ in wave)), 300)
        await asyncio.sleep(2.0)
        rss_open = [rss_mb(pid) for pid in pids]
        threads = [thread_count(pid) for pid in pids]
        subscriptions = [subscriber_connections(pid) for pid in pids]
        published: dict[tuple[int, int], float] = {}
        for seq in range(2, final_seq):
            for job in job_ids:
                payload = {"step": seq, "loss": 0.5}
                published[job, seq] = await asyncio.to_thread(emit, job, seq, "metric", payload)
            await asyncio.sleep(interval)
        for job in job_ids:
            await asyncio.to_thread(_finish, job, final_seq)
        await asyncio.wait_for(asyncio.gather(*tasks), 300)
        latencies = [(c.arrivals[seq] - published[job, seq]) * 1000
                     for c, job, _ in clients for seq in range(2, final_seq) if seq in c.arrivals]
        per_process = [sum(1 for _, _, p in clients if p == i) for i in range(2)]
        return {
            "viewers": viewers, "jobs": jobs, "events": events, "samples": len(latencies),
            "missing": viewers * events - len(latencies),
            "errors": sorted({c.error for c, _, _ in clients if c.error}),
            "p50_ms": percentile(latencies, 0.5), "p95_ms": percentile(latencies, 0.95),
            "p99_ms": percentile(latencies, 0.99), "max_ms": max(latencies),
            "rss_kb_per_stream": [(rss_open[i] - rss_before[i]) * 1024 / per_process[i]
                                  for i in range(2)],
            "subscription_connections": subscriptions,
            "threads_of_web_process": threads,
        }
    finally:
        second.terminate()
        second.wait(timeout=30)


def start_second_web(platform: Platform) -> subprocess.Popen:
    """Another uvicorn process on the same database and Redis, on the next port."""
    port = platform.port + 1
    web = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "dlplatform.asgi:application", "--port", str(port),
         "--log-level", "warning"], cwd=ROOT, env=platform.env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz/", timeout=1)
            return web
        except httpx.TransportError:
            if time.monotonic() > deadline or web.poll() is not None:
                web.kill()
                raise
            time.sleep(0.2)


def thread_count(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


def subscriber_connections(pid: int) -> int:
    """Redis connections of web process `pid` that hold subscriptions (the live hub names
    its connections dlp-web-<pid>)."""
    clients = redis.Redis.from_url(os.environ["REDIS_URL"]).client_list()
    return sum(1 for c in clients
               if c.get("name") == f"dlp-web-{pid}" and int(c.get("sub", 0)) > 0)


def _finish(job_id: int, final_seq: int) -> None:
    from jobs.models import JobStatus, TrainingJob

    emit(job_id, final_seq, "status", {"status": "succeeded", "error": "", "result": {}})
    TrainingJob.objects.filter(pk=job_id).update(status=JobStatus.SUCCEEDED)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", default="1,50,500")
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--interval", type=float, default=0.15,
                        help="seconds between events (the worker flushes every 0.15 s)")
    parser.add_argument("--label", default="", help="suffix of the result file, e.g. before")
    parser.add_argument("--many", default="",
                        help="VxJ: V viewers of J distinct jobs over two web processes")
    args = parser.parse_args()
    if args.many:
        main_many(args)
        return
    counts = [int(n) for n in args.viewers.split(",")]
    with Platform(workers=0, warm=False, env=SERVER_ENV) as platform:
        platform.setup_django()
        rows = [asyncio.run(measure(platform, n, args.events, args.interval)) for n in counts]
    print_table(
        f"Fan-out: publish → SSE client ({args.events} events every {args.interval} s)"
        + (f" [{args.label}]" if args.label else ""),
        ["viewers", "p50 ms", "p95 ms", "p99 ms", "max ms", "missing", "RSS/stream KB",
         "Redis conns", "open all s"],
        [[r["viewers"], r["p50_ms"], r["p95_ms"], r["p99_ms"], r["max_ms"], r["missing"],
          r["rss_kb_per_stream"], r["redis_connections_of_web_process"], r["connect_all_s"]]
         for r in rows])
    for row in rows:
        for error in row["errors"]:
            print(f"  error ({row['viewers']} viewers): {error}")
    name = "fanout" + (f"-{args.label}" if args.label else "")
    save_results(name, {"server_env": SERVER_ENV, "interval_s": args.interval, "levels": rows})


def main_many(args: argparse.Namespace) -> None:
    viewers, jobs = (int(n) for n in args.many.split("x"))
    with Platform(workers=0, warm=False, env=SERVER_ENV) as platform:
        platform.setup_django()
        row = asyncio.run(measure_many(platform, viewers, jobs, args.events, args.interval))
    print_table(
        f"Fan-out: {viewers} viewers of {jobs} jobs over two web processes "
        f"({args.events} events per job every {args.interval} s)"
        + (f" [{args.label}]" if args.label else ""),
        ["p50 ms", "p95 ms", "p99 ms", "max ms", "missing", "RSS/stream KB (each process)",
         "subscription conns (each process)", "threads (each process)"],
        [[row["p50_ms"], row["p95_ms"], row["p99_ms"], row["max_ms"], row["missing"],
          " / ".join(f"{kb:.0f}" for kb in row["rss_kb_per_stream"]),
          " / ".join(str(n) for n in row["subscription_connections"]),
          " / ".join(str(n) for n in row["threads_of_web_process"])]])
    for error in row["errors"]:
        print(f"  error: {error}")
    name = "fanout-many" + (f"-{args.label}" if args.label else "")
    save_results(name, {"server_env": SERVER_ENV, "interval_s": args.interval, "result": row})


if __name__ == "__main__":
    main()
