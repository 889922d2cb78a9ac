"""A worker's resident memory, idle and as it runs many jobs, one command:

    python bench/worker_memory_bench.py [--jobs 1000] [--every 100]

Starts one Celery worker process (`--concurrency 1`, as production runs one per core) on a
bench database, reads its memory idle (after warm-up: torch imported, data cached), then
submits the small bench job `--jobs` times through the API, `--every` at a time, and reads
the memory again after each batch has finished. Memory is the resident set (VmRSS) of the
worker's parent process and of its pool children, summed and apart: the children are where
jobs run, and they are recycled after CELERY_WORKER_MAX_TASKS_PER_CHILD jobs (500 by
default) or DLP_WORKER_MAX_MEMORY_KIB, so their memory must level off, not climb with the
number of jobs. The ratio printed is memory after all jobs ÷ idle memory, in the same run.
"""

import argparse
import logging
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import SMALL, Platform, print_table, rss_mb, save_results  # noqa: E402


def children(pid: int) -> list[int]:
    """The pool children of a worker process (from /proc's children list)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return found


def memory(worker_pid: int) -> dict:
    kids = children(worker_pid)
    kid_rss = [rss_mb(kid) for kid in kids]
    return {"parent_mb": rss_mb(worker_pid), "children_mb": sum(kid_rss),
            "children": len(kids), "child_pids": kids}


def run_batch(platform: Platform, count: int, timeout: float) -> int:
    from jobs.models import JobStatus, TrainingJob

    with httpx.Client(base_url=platform.url, headers=platform.headers, timeout=30) as client:
        ids = [client.post("/api/v1/jobs/", json={"config": SMALL}).json()["id"]
               for _ in range(count)]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        finished = TrainingJob.objects.filter(pk__in=ids).exclude(
            status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).count()
        if finished == count:
            break
        time.sleep(0.5)
    return TrainingJob.objects.filter(pk__in=ids, status=JobStatus.SUCCEEDED).count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    rows = []
    with Platform(workers=1, warm=True) as platform:
        platform.setup_django()
        worker_pid = platform.workers[0].pid
        time.sleep(2.0)
        idle = memory(worker_pid)
        rows.append({"jobs": 0, "succeeded": 0, **idle})
        done = succeeded = 0
        while done < args.jobs:
            batch = min(args.every, args.jobs - done)
            succeeded += run_batch(platform, batch, timeout=batch * 10 + 60)
            done += batch
            rows.append({"jobs": done, "succeeded": succeeded, **memory(worker_pid)})
    for row in rows:
        row["total_mb"] = row["parent_mb"] + row["children_mb"]
    print_table(
        f"Worker memory (one worker, --concurrency 1; {args.jobs} small jobs)"
        + (f" [{args.label}]" if args.label else ""),
        ["jobs", "succeeded", "parent MB", "children MB", "total MB", "× idle", "child pid"],
        [[r["jobs"], r["succeeded"], r["parent_mb"], r["children_mb"], r["total_mb"],
          r["total_mb"] / rows[0]["total_mb"], ",".join(map(str, r["child_pids"]))]
         for r in rows])
    save_results("worker-memory" + (f"-{args.label}" if args.label else ""), {"rows": rows})


if __name__ == "__main__":
    main()
