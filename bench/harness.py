"""Shared by the benchmarks: a real platform (uvicorn and Celery worker processes on a fresh
PostgreSQL database, Redis on this machine), percentiles, tables and result files.

Every benchmark starts the platform the way a user runs it, so the figures include what
production pays (ASGI, the database, Redis), not a test client's shortcuts.
"""

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
RUN = uuid.uuid4().hex[:8]
DB_NAME = f"dlp_bench_{RUN}"
SMALL = {
    "model": {"kind": "mlp", "hidden": [16, 16], "activation": "relu"},
    "data": {"name": "moons", "n_samples": 500, "noise": 0.2, "val_fraction": 0.2, "seed": 0},
    "optim": {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": 2},
}
# Makes a learner and prints their API key; works with the hashed-token service, and with
# DRF's authtoken on trees that still use it.
_TOKEN_CODE = """
import json
from django.contrib.auth.models import User
try:
    from accounts.tokens import create_token
    def key_for(user):
        return create_token(user, 'bench')[1]
except ImportError:
    from rest_framework.authtoken.models import Token
    def key_for(user):
        return Token.objects.create(user=user).key
print(json.dumps([key_for(User.objects.create_user(name)) for name in NAMES]))
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc (no psutil in the venv)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


class Platform:
    """uvicorn and Celery worker processes on a bench database of their own, as a user runs
    them. `workers` separate worker processes (production scales by processes), each with
    `worker_concurrency` children; `env` adds settings (e.g. raised caps) for all of them."""

    def __init__(self, worker_concurrency: int = 1, *, workers: int = 1, warm: bool = True,
                 env: dict[str, str] | None = None) -> None:
        self.worker_concurrency = worker_concurrency
        self.worker_count = workers
        self.warm = warm
        self.env = dict(
            os.environ,
            DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
            REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            DLP_JOB_QUEUE=f"bench-{RUN}", DLP_LIVE_CHANNEL_PREFIX=f"bench-{RUN}:",
            DJANGO_SETTINGS_MODULE="dlplatform.settings", **(env or {}),
        )
        self.port = 8700 + os.getpid() % 200
        self.url = f"http://127.0.0.1:{self.port}"
        self.web: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []
        # Node names, for Celery control commands: they must name our workers, since a
        # broadcast would reach every worker on this Redis (other test runs' too).
        self.worker_names: list[str] = []
        self.headers: dict[str, str] = {}
        self._log = None

    def manage(self, *args: str) -> str:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                              check=True, capture_output=True, text=True).stdout

    def shell(self, code: str) -> str:
        """Run Django code in the bench database; its last printed line."""
        return self.manage("shell", "-c", code).strip().splitlines()[-1]

    def __enter__(self) -> "Platform":
        psql(f"CREATE DATABASE {DB_NAME}")
        try:
            self._start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _start(self) -> None:
        self.manage("migrate", "--noinput")
        # Hashed, compressed static files, served as in production (dlplatform/static_files.py).
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        self.shell(
            "from jobs.models import JobLimits;"
            "JobLimits.objects.update_or_create(pk=1, defaults={'max_concurrent_jobs': 100000,"
            " 'max_jobs_per_hour': 1000000, 'max_training_seconds_per_day': 10**9})")
        self.headers = {"Authorization": "Token " + self.create_users(["bench"])[0]}
        (ROOT / "var").mkdir(exist_ok=True)
        self._log = open(ROOT / "var" / f"bench-{RUN}.log", "a")  # noqa: SIM115 (closed in __exit__)
        self.web = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "dlplatform.asgi:application",
             "--port", str(self.port), "--log-level", "warning"],
            cwd=ROOT, env=self.env, stdout=self._log, stderr=self._log)
        self.start_workers(self.worker_count)
        self._wait_for_web()
        if self.warm and self.workers:
            self.submit_and_follow(SMALL)  # warm: the worker has imported torch, cached data

    def _wait_for_web(self) -> None:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(self.url + "/api/v1/schema/", timeout=1)
                return
            except httpx.TransportError:
                if time.monotonic() > deadline or self.web.poll() is not None:
                    raise
                time.sleep(0.2)

    def start_workers(self, count: int) -> None:
        """Add `count` Celery worker processes (each its own node name)."""
        for _ in range(count):
            name = f"bench{len(self.workers)}-{RUN}@{socket.gethostname()}"
            self.worker_names.append(name)
            self.workers.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "dlplatform", "worker",
                 "--concurrency", str(self.worker_concurrency), "--hostname", name,
                 "--loglevel", "WARNING"],
                cwd=ROOT, env=self.env, stdout=self._log, stderr=self._log))

    def stop_workers(self) -> None:
        for process in self.workers:
            process.terminate()
        for process in self.workers:
            process.wait(timeout=60)
        self.workers = []
        self.worker_names = []

    def __exit__(self, *exc) -> None:
        self.stop_workers()
        if self.web is not None:
            self.web.terminate()
            self.web.wait(timeout=30)
        if self._log is not None:
            self._log.close()
        psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")

    def create_users(self, names: list[str]) -> list[str]:
        """Users with one API key each; returns the keys, in the order of `names`."""
        code = f"NAMES = {names!r}\n" + _TOKEN_CODE
        return json.loads(self.shell(code))

    def create_learners(self, count: int) -> list[str]:
        """Learner accounts with tokens (job limits are per learner); returns the tokens."""
        return self.create_users([f"load{i}" for i in range(count)])

    def setup_django(self) -> None:
        """Let this process use the bench database and Redis through Django (ORM, live)."""
        import django

        os.environ.update(self.env)
        sys.path.insert(0, str(ROOT))
        django.setup()

    def submit_and_follow(self, config: dict) -> dict:
        """Submit, read the stream to its end; client-side times of the milestones."""
        t0 = time.perf_counter()
        job = httpx.post(self.url + "/api/v1/jobs/", json={"config": config},
                         headers=self.headers, timeout=30).json()
        t_created = time.perf_counter()
        first_metric = None
        with httpx.stream("GET", job["urls"]["events"], headers=self.headers,
                          timeout=300) as response:
            for line in response.iter_lines():
                if line == "event: metric" and first_metric is None:
                    first_metric = time.perf_counter()
        return {"id": job["id"], "api": t_created - t0,
                "first_metric": (first_metric or float("nan")) - t0,
                "end": time.perf_counter() - t0}


def print_table(title: str, header: list[str], rows: list[list]) -> None:
    """A plain aligned table: the first column left, the others right."""
    cells = [header] + [[_cell(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}")
    for row in cells:
        print("  " + "  ".join(
            value.ljust(widths[i]) if i == 0 else value.rjust(widths[i])
            for i, value in enumerate(row)))


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def save_results(name: str, results: dict) -> Path:
    """bench/results/<name>-<date>.json; the date is also inside."""
    results = {"date": date.today().isoformat(), **results}
    out = ROOT / "bench" / "results" / f"{name}-{results['date']}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"\nsaved {out.relative_to(ROOT)}")
    return out


def tcp_connections(pid: int, remote_port: int) -> int:
    """How many TCP connections process `pid` holds to `remote_port` (e.g. Redis's): its
    socket inodes matched against /proc/net/tcp, so other processes' connections (other
    agents share this Redis) are not counted."""
    inodes = set()
    fd_dir = Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[2].rsplit(":", 1)[1], 16) == remote_port and fields[9] in inodes:
                count += 1
    return count
