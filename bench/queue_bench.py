"""Queue throughput: many small jobs through 1, then 2 Celery worker processes, one command:

    python bench/queue_bench.py [--jobs 60] [--workers 1,2]

Production scales workers by processes (`--concurrency=1` each, one per core or GPU), so
each phase starts that many separate worker processes on the same queue, warms them (one
job each: torch imported, data cached), submits `--jobs` small jobs through the API as
fast as one client can while the workers are told to stop consuming, then lets them
consume and waits for all of them. Throughput is jobs divided by the time from that
moment to the last job's end (its stored finished_at).

Then every job is checked: succeeded, ran exactly once (one `running` status event,
attempt 1) and its events are numbered 1..n without gap or duplicate; a job that does not
end within the timeout counts as lost.
"""

import argparse
import logging
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import SMALL, Platform, print_table, save_results  # noqa: E402


def submit(platform: Platform, count: int) -> list[int]:
    with httpx.Client(base_url=platform.url, headers=platform.headers, timeout=30) as client:
        return [client.post("/api/v1/jobs/", json={"config": SMALL}).json()["id"]
                for _ in range(count)]


def wait_for(job_ids: list[int], timeout: float) -> None:
    from jobs.models import TERMINAL_STATUSES, TrainingJob

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = TrainingJob.objects.filter(pk__in=job_ids, status__in=TERMINAL_STATUSES).count()
        if done == len(job_ids):
            return
        time.sleep(0.2)


def check(job_ids: list[int], started) -> dict:
    """Counts of jobs that failed, ran twice, have broken event numbering, or never ended."""
    from django.db.models import Max

    from jobs.models import JobEvent, JobStatus, TrainingJob

    jobs = {job.pk: job for job in TrainingJob.objects.filter(pk__in=job_ids)}
    report = {"succeeded": 0, "failed": 0, "lost": 0, "ran_twice": 0, "bad_seq": 0}
    for job_id in job_ids:
        job = jobs[job_id]
        if job.status == JobStatus.SUCCEEDED:
            report["succeeded"] += 1
        elif job.is_terminal:
            report["failed"] += 1
        else:
            report["lost"] += 1
        events = JobEvent.objects.filter(job_id=job_id)
        runs = events.filter(type="status", payload__status="running").count()
        if runs != 1 or job.attempt > 1:
            report["ran_twice"] += 1
        seqs = list(events.order_by("seq").values_list("seq", flat=True))
        if seqs != list(range(1, job.last_seq + 1)):
            report["bad_seq"] += 1
    last = TrainingJob.objects.filter(pk__in=job_ids).aggregate(last=Max("finished_at"))["last"]
    report["seconds"] = (last - started).total_seconds()
    return report


def phase(platform: Platform, workers: int, jobs: int, timeout: float) -> dict:
    """Warm workers stop consuming while the jobs are queued, then all start at once: so
    the figure is the workers' rate, not how fast one client can submit."""
    from django.conf import settings
    from django.utils import timezone

    from dlplatform.celery import app

    platform.start_workers(workers)
    warm = submit(platform, workers * 2)
    wait_for(warm, 300)
    ours = {"destination": platform.worker_names, "reply": True, "timeout": 5}
    replies = app.control.cancel_consumer(settings.JOB_QUEUE, **ours)
    assert len(replies) == workers, replies
    job_ids = submit(platform, jobs)
    started = timezone.now()
    app.control.add_consumer(settings.JOB_QUEUE, **ours)
    wait_for(job_ids, timeout)
    report = check(job_ids, started)
    platform.stop_workers()
    report["jobs"] = jobs
    report["workers"] = workers
    report["jobs_per_s"] = jobs / report["seconds"]
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=60)
    parser.add_argument("--workers", default="1,2", help="worker process counts to measure")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    with Platform(workers=0, warm=False) as platform:
        platform.setup_django()
        logging.getLogger("httpx").setLevel(logging.WARNING)  # Django's config logs each request
        rows = [phase(platform, int(n), args.jobs, args.timeout)
                for n in args.workers.split(",")]
    base = rows[0]["jobs_per_s"]
    print_table(
        f"Queue: {args.jobs} small jobs (moons MLP, 2 epochs), worker processes with "
        "--concurrency=1",
        ["workers", "jobs/s", "speed-up", "seconds", "succeeded", "failed", "lost",
         "ran twice", "bad seq"],
        [[r["workers"], f"{r['jobs_per_s']:.2f}", f"{r['jobs_per_s'] / base:.2f}",
          r["seconds"], r["succeeded"], r["failed"], r["lost"], r["ran_twice"], r["bad_seq"]]
         for r in rows])
    save_results("queue", {"config": SMALL, "phases": rows})
    ok = all(r["succeeded"] == r["jobs"] and not (r["ran_twice"] or r["bad_seq"]) for r in rows)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
