"""Web throughput: requests per second and latency of real pages against a trivial view,
measured in the same run, one command:

    python bench/web_bench.py [--connections 16] [--seconds 5] [--rounds 5]

Starts uvicorn (one process, as in the scaling plan's unit) and a Celery worker on a fresh
database, loads the shipped lessons (`manage.py load_lessons`), trains ~50 small jobs for
the bench user and stops the worker. Then, one endpoint at a time, `--connections`
keep-alive clients send requests back to back for `--seconds`:

- GET /healthz/ — JSON, no database: what Django + uvicorn cost by themselves;
- GET /api/v1/auth/tokens/ with the bench user's token — the trivial token-authenticated
  DRF endpoint (token lookup, one short list): the baseline of the issue's targets;
- GET the first lesson of the first course, anonymous (the page every visitor shares,
  cached whole); a lesson with a lab and a quiz as a logged-in learner (lesson content
  from the cache, the learner's own progress and runs from the database); the course
  page and the dashboard as that learner;
- GET /api/v1/jobs/ with the bench user's token (a page of 50 jobs);
- POST /api/v1/jobs/ with the bench user's token (a small config: limits checked, job
  stored, message published; no worker runs during the measurement).

Every endpoint is measured `--rounds` times, the rounds interleaved, and each round's
req/s is divided by the same round's trivial endpoints: the table prints the median of
those ratios and their spread (min–max), since the machine is shared and the absolute
figures move with it. Beside them, the uvicorn process's CPU time per request over the same
seconds (/proc), and the trivial DRF endpoint's ÷ each endpoint's: other processes on the
cores move req/s much more than they move the CPU a request costs. The clients are raw
asyncio sockets in this process, sharing the 2 cores with the server: the absolute figures
are a floor of what the server does alone.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

import httpx
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import SMALL, Platform, percentile, print_table, save_results  # noqa: E402

JOBS = 50


class Client:
    """One keep-alive HTTP/1.1 connection: request, read the status and the body."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str, headers: dict[str, str], body: bytes | None = None) -> int:
        """GET, or POST `body` (JSON) when one is given."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        method = "GET" if body is None else "POST"
        if body is not None:
            headers = headers | {"Content-Type": "application/json",
                                 "Content-Length": str(len(body))}
        lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{lines}\r\n".encode()
                          + (body or b""))
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


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (/proc/PID/stat; no psutil here)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def load(port: int, path: str, headers: dict[str, str], connections: int,
               seconds: float, body: bytes | None = None, server_pid: int | None = None) -> dict:
    """Closed loop: each connection sends its next request as soon as the last one ends. With
    `server_pid`, also the server process's CPU milliseconds per request over the same time:
    what other processes on the shared cores take moves req/s, far less the CPU per request."""
    latencies: list[float] = []
    bad: dict[int, int] = {}
    deadline = time.perf_counter() + seconds

    async def one_connection() -> None:
        client = Client(port)
        try:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                status = await client.get(path, headers, body)
                latencies.append((time.perf_counter() - start) * 1000)
                if status != (200 if body is None else 201):
                    bad[status] = bad.get(status, 0) + 1
        finally:
            client.close()

    started = time.perf_counter()
    cpu_before = cpu_seconds(server_pid) if server_pid else 0.0
    await asyncio.gather(*(one_connection() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    cpu_ms = ((cpu_seconds(server_pid) - cpu_before) * 1000 / max(len(latencies), 1)
              if server_pid else None)
    return {"path": path, "requests": len(latencies), "rps": len(latencies) / elapsed,
            "cpu_ms_per_request": cpu_ms,
            "p50_ms": percentile(latencies, 0.5), "p99_ms": percentile(latencies, 0.99),
            "non_200": bad}


ORDER = ("'module__course__order', 'module__course__id', 'module__order', 'module__id',"
         " 'order', 'id'")
PATHS_CODE = f"""
import json
from lessons.models import Lesson
published = Lesson.objects.filter(status='published', module__course__is_published=True)
first = published.order_by({ORDER}).first()
rich = (published.filter(labs__isnull=False, quiz__isnull=False).distinct()
        .order_by({ORDER}).first())
print(json.dumps([first.get_absolute_url(), rich.get_absolute_url(),
                  rich.module.course.get_absolute_url()]))
"""


def prepare(platform: Platform) -> list[str]:
    """Lessons loaded, JOBS finished jobs for the bench user; the paths of the first lesson,
    of the first lesson with a lab and a quiz, and of that lesson's course."""
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
    # The POSTs measured queue jobs that no worker takes: the queue may hold them all.
    platform.shell("from jobs.models import JobLimits;"
                   "JobLimits.objects.filter(pk=1).update(max_queued_jobs=10**9)")
    return json.loads(platform.shell(PATHS_CODE))


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


def summarize(rounds: list[list[dict]], baselines: tuple[int, ...]) -> list[dict]:
    """Per endpoint: the median req/s and p99 over the rounds, and its req/s ÷ each trivial
    endpoint's of the same round (median, min, max)."""
    rows = []
    for i, first in enumerate(rounds[0]):
        runs = [one_round[i] for one_round in rounds]
        row = {"name": first["name"], "path": first["path"], "runs": runs,
               "rps": statistics.median(r["rps"] for r in runs),
               "p50_ms": statistics.median(r["p50_ms"] for r in runs),
               "p99_ms": statistics.median(r["p99_ms"] for r in runs),
               "non_200": sum(sum(r["non_200"].values()) for r in runs)}
        for b in baselines:
            ratios = [one_round[i]["rps"] / one_round[b]["rps"] for one_round in rounds]
            row[f"ratio_to_{b}"] = {"median": statistics.median(ratios),
                                    "min": min(ratios), "max": max(ratios)}
        # The trivial DRF endpoint's server CPU per request ÷ this one's: like the req/s
        # ratio, 1 is as cheap as the baseline, 0.5 twice its cost.
        cpu = [one_round[baselines[-1]]["cpu_ms_per_request"] / one_round[i]["cpu_ms_per_request"]
               for one_round in rounds]
        row["cpu_ms_per_request"] = statistics.median(r["cpu_ms_per_request"] for r in runs)
        row["cpu_ratio_to_trivial_drf"] = {"median": statistics.median(cpu),
                                           "min": min(cpu), "max": max(cpu)}
        rows.append(row)
    return rows


def _spread(ratio: dict) -> str:
    return f"{ratio['median']:.2f} ({ratio['min']:.2f}–{ratio['max']:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--label", default="", help="a suffix for the results file's name")
    args = parser.parse_args()
    with Platform(workers=1, warm=False) as platform:
        first_lesson, lesson, course = prepare(platform)
        learner = {"Cookie": f"sessionid={platform.shell(SESSION_CODE)}"}
        if "Log out (bench)" not in httpx.get(platform.url + lesson, headers=learner).text:
            raise RuntimeError("the learner's session was not accepted")
        submit = json.dumps({"config": SMALL}).encode()
        targets = [("trivial view /healthz/", "/healthz/", {}, None),
                   ("trivial DRF, token", "/api/v1/auth/tokens/", platform.headers, None),
                   ("first lesson, anonymous", first_lesson, {}, None),
                   ("lesson with lab+quiz, learner", lesson, learner, None),
                   ("course page, learner", course, learner, None),
                   ("dashboard, learner", "/dashboard/", learner, None),
                   (f"GET job list ({JOBS} jobs)", "/api/v1/jobs/", platform.headers, None),
                   ("POST /api/v1/jobs/", "/api/v1/jobs/", platform.headers, submit)]
        for _, path, headers, body in targets:  # warm: imports, templates, the connections
            asyncio.run(load(platform.port, path, headers, 2, 1, body))
        rounds = []
        for _ in range(args.rounds):
            rounds.append([
                asyncio.run(load(platform.port, path, headers, args.connections, args.seconds,
                                 body, server_pid=platform.web.pid)) | {"name": name}
                for name, path, headers, body in targets])
        # The measured POSTs' messages, which no worker will take: not left in Redis.
        redis.Redis.from_url(platform.env["REDIS_URL"]).delete(platform.env["DLP_JOB_QUEUE"])
    rows = summarize(rounds, baselines=(0, 1))
    print_table(
        f"Web: one uvicorn process, {args.connections} keep-alive clients, {args.seconds:.0f} s "
        f"per endpoint, {args.rounds} rounds (medians; ratios: median (min–max)); server CPU "
        "per request, and the trivial DRF endpoint's ÷ this one's",
        ["endpoint", "req/s", "p50 ms", "p99 ms", "÷ /healthz/", "÷ trivial DRF", "CPU ms",
         "CPU: trivial DRF ÷", "non-2xx"],
        [[r["name"], r["rps"], r["p50_ms"], r["p99_ms"], _spread(r["ratio_to_0"]),
          _spread(r["ratio_to_1"]), r["cpu_ms_per_request"],
          _spread(r["cpu_ratio_to_trivial_drf"]), r["non_200"]] for r in rows])
    load_average = os.getloadavg()
    print(f"  first lesson: {first_lesson}; learner's lesson: {lesson}; course: {course}")
    print(f"  load average at the end (1, 5, 15 min): {load_average}")
    save_results("web" + (f"-{args.label}" if args.label else ""), {
        "connections": args.connections, "seconds": args.seconds, "rounds": args.rounds,
        "load_average": load_average, "endpoints": rows})


if __name__ == "__main__":
    main()
