"""Web throughput: requests per second and latency of real pages against a trivial view,
measured in the same run, one command:

    python bench/web_bench.py [--connections 16] [--seconds 10]

Starts uvicorn (one process, as in the scaling plan's unit) and a Celery worker on a fresh
database, loads the shipped lessons (`manage.py load_lessons`), trains ~50 small jobs for
the bench user and stops the worker. Then, one endpoint at a time, `--connections`
keep-alive clients send requests back to back for `--seconds`:

- GET /healthz/ — JSON, no database: what Django + uvicorn cost by themselves;
- GET the first lesson of the first course, anonymous (the page every visitor shares,
  cached whole) and as a logged-in learner (lesson content from the cache, the learner's
  own progress and runs from the database);
- GET /api/v1/jobs/ with the bench user's token (a page of 50 jobs).

The ratios to /healthz/ say how much the views themselves cost. The clients are raw
asyncio sockets in this process, sharing the 2 cores with the server: the absolute
figures are a floor of what the server does alone.
"""

import argparse
import asyncio
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import SMALL, Platform, percentile, print_table, save_results  # noqa: E402

JOBS = 50


class Client:
    """One keep-alive HTTP/1.1 connection: request, read the status and the body."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str, headers: dict[str, str]) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{lines}\r\n".encode())
        status = int((await self.reader.readline()).split()[1])
        length, chunked = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value:
                chunked = True
        await (self._chunked_body() if chunked else self.reader.readexactly(length))
        return status

    async def _chunked_body(self) -> None:
        while size := int((await self.reader.readline()).split(b";")[0], 16):
            await self.reader.readexactly(size + 2)
        await self.reader.readline()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def load(port: int, path: str, headers: dict[str, str], connections: int,
               seconds: float) -> dict:
    """Closed loop: each connection sends its next request as soon as the last one ends."""
    latencies: list[float] = []
    bad: dict[int, int] = {}
    deadline = time.perf_counter() + seconds

    async def one_connection() -> None:
        client = Client(port)
        try:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                status = await client.get(path, headers)
                latencies.append((time.perf_counter() - start) * 1000)
                if status != 200:
                    bad[status] = bad.get(status, 0) + 1
        finally:
            client.close()

    started = time.perf_counter()
    await asyncio.gather(*(one_connection() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    return {"path": path, "requests": len(latencies), "rps": len(latencies) / elapsed,
            "p50_ms": percentile(latencies, 0.5), "p99_ms": percentile(latencies, 0.99),
            "non_200": bad}


def prepare(platform: Platform) -> str:
    """Lessons loaded, JOBS finished jobs for the bench user; the first lesson's path."""
    platform.manage("load_lessons")
    with httpx.Client(base_url=platform.url, headers=platform.headers, timeout=30) as client:
        ids = [client.post("/api/v1/jobs/", json={"config": SMALL}).json()["id"]
               for _ in range(JOBS)]
        deadline = time.monotonic() + 600
        while client.get(f"/api/v1/jobs/{ids[-1]}/").json()["status"] in ("queued", "running"):
            if time.monotonic() > deadline:
                raise RuntimeError("the bench jobs did not finish")
            time.sleep(0.5)
    platform.stop_workers()  # the measured server is not sharing the cores with training
    return platform.shell(
        "from lessons.models import Lesson;"
        "print(Lesson.objects.filter(status='published', module__course__is_published=True)"
        ".order_by('module__course__order', 'module__course__id', 'module__order',"
        " 'module__id', 'order', 'id').first().get_absolute_url())")


SESSION_CODE = """
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
user = get_user_model().objects.get(username="bench")
session = import_module(settings.SESSION_ENGINE).SessionStore()
session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
                HASH_SESSION_KEY: user.get_session_auth_hash()})
session.create()
print(session.session_key)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    with Platform(workers=1, warm=False) as platform:
        lesson = prepare(platform)
        learner = {"Cookie": f"sessionid={platform.shell(SESSION_CODE)}"}
        if "Log out (bench)" not in httpx.get(platform.url + lesson, headers=learner).text:
            raise RuntimeError("the learner's session was not accepted")
        targets = [("trivial view /healthz/", "/healthz/", {}),
                   ("lesson page, anonymous", lesson, {}),
                   ("lesson page, learner", lesson, learner),
                   (f"job list ({JOBS} jobs)", "/api/v1/jobs/", platform.headers)]
        for _, path, headers in targets:  # warm: imports, templates, the connections
            asyncio.run(load(platform.port, path, headers, 2, 1))
        rows = [asyncio.run(load(platform.port, path, headers, args.connections, args.seconds))
                | {"name": name} for name, path, headers in targets]
    base = rows[0]
    for row in rows:
        row["rps_ratio_to_trivial"] = row["rps"] / base["rps"]
        row["p99_ratio_to_trivial"] = row["p99_ms"] / base["p99_ms"]
    print_table(
        f"Web: one uvicorn process, {args.connections} keep-alive clients, {args.seconds:.0f} s "
        "each",
        ["endpoint", "req/s", "p50 ms", "p99 ms", "req/s ÷ trivial", "p99 × trivial", "non-200"],
        [[r["name"], r["rps"], r["p50_ms"], r["p99_ms"], f"{r['rps_ratio_to_trivial']:.2f}",
          f"{r['p99_ratio_to_trivial']:.1f}", sum(r["non_200"].values())] for r in rows])
    print(f"  lesson page: {lesson}")
    save_results("web", {"connections": args.connections, "seconds": args.seconds,
                         "endpoints": rows})


if __name__ == "__main__":
    main()
