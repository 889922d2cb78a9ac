"""A class of thirty: 30 learners press Train on the same lab within one second.

    python bench/class_bench.py [--learners 30] [--repeats 3] [--workers 1] [--skip-unpacked]

On a real platform (bench/harness.py: uvicorn, Celery worker processes with
--concurrency=1, a database of its own), per repeat:
  - one run: one learner trains the lab's preset alone; its time is submit to finished_at;
  - the class, packing on (DLP_PACK_MAX_JOBS = learners): every learner submits the preset
    through the API within one second (one client thread each); the class's time is the
    first submission to the last job's finished_at;
  - the class, packing off (DLP_PACK_MAX_JOBS=1, the jobs queue one by one), unless
    --skip-unpacked.
The worker packs only what it finds waiting when it starts a job, so the class is trained
as it arrives: usually the first learner's job alone (nothing else was queued yet), then
one pack of the rest (a pack's events go through one writer and one connection, so the
number of database connections does not cap it; half the time limit does).

Prints medians with their spread (min..max over the repeats) and the class's time as a
multiple of one run's; every job must succeed, and each streams its own events (checked:
per-step points and a picture per epoch in every job's stream). The machine is shared
(other processes run too): compare the ratios, which are measured in the same run, not
the absolute seconds.
"""

import argparse
import logging
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Platform, print_table, save_results  # noqa: E402

# The optimizers lab's preset (content/foundations/training-neural-networks/04-optimizers.md).
PRESET = {
    "model": {"kind": "mlp", "hidden": [16, 16], "activation": "relu"},
    "data": {"name": "moons", "n_samples": 500, "noise": 0.2, "val_fraction": 0.2, "seed": 0},
    "optim": {"name": "sgd", "lr": 0.01, "batch_size": 32, "epochs": 20},
}


def submit_all(platform: Platform, tokens: list[str]) -> list[int]:
    """Each learner submits the preset from a thread of its own, all at once."""

    def submit(token: str) -> int:
        response = httpx.post(platform.url + "/api/v1/jobs/", json={"config": PRESET},
                              headers={"Authorization": "Token " + token}, timeout=60)
        response.raise_for_status()
        return int(response.json()["id"])

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        return list(pool.map(submit, tokens))


def wait_for(job_ids: list[int], timeout: float) -> None:
    from jobs.models import TERMINAL_STATUSES, TrainingJob

    deadline = time.monotonic() + timeout
    while TrainingJob.objects.filter(pk__in=job_ids, status__in=TERMINAL_STATUSES).count() < len(
            job_ids):
        if time.monotonic() > deadline:
            raise TimeoutError(f"jobs {job_ids} did not all end within {timeout} s")
        time.sleep(0.2)


def measure(job_ids: list[int]) -> dict:
    """Seconds from the first submission to the last end, and what each job streamed."""
    from django.db.models import Max, Min

    from jobs.models import JobStatus, TrainingJob

    jobs = TrainingJob.objects.filter(pk__in=job_ids)
    span = jobs.aggregate(first=Min("created_at"), last=Max("finished_at"))
    failed = [job.pk for job in jobs if job.status != JobStatus.SUCCEEDED]
    epochs = PRESET["optim"]["epochs"]
    streams_in_full = sum(
        job.events.filter(type="metric", payload__scope="step").count() > epochs
        and job.events.filter(type="decision_boundary").count() == epochs
        for job in jobs)
    packed = sum(bool(job.events.get(type="info").payload.get("packed_with")) for job in jobs)
    # Where the class's time went, from the first submission: the last submission stored,
    # the last job started (the last pack began) and its first job's end.
    times = jobs.aggregate(last_created=Max("created_at"), last_started=Max("started_at"),
                           first_finished=Min("finished_at"))
    breakdown = {name: round((moment - span["first"]).total_seconds(), 2)
                 for name, moment in times.items()}
    return {"seconds": (span["last"] - span["first"]).total_seconds(), "failed": failed,
            "streamed_in_full": streams_in_full, "packed": packed, "jobs": len(job_ids),
            "breakdown": breakdown}


def phase(platform: Platform, tokens: list[str], pack_max: int, workers: int,
          timeout: float) -> dict:
    """Start `workers` worker processes with DLP_PACK_MAX_JOBS=pack_max, warm them, let
    the learners submit, wait for every job to end; stop the workers."""
    platform.env["DLP_PACK_MAX_JOBS"] = str(pack_max)
    platform.start_workers(workers)
    try:
        wait_for(submit_all(platform, tokens[:workers]), timeout)  # warm: torch imported
        job_ids = submit_all(platform, tokens)
        wait_for(job_ids, timeout)
        return measure(job_ids)
    finally:
        platform.stop_workers()


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "values": values}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--skip-unpacked", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()
    runs: dict[str, list[dict]] = {"one run": [], "class, packed": [], "class, unpacked": []}
    with Platform(workers=0, warm=False) as platform:
        platform.setup_django()
        logging.getLogger("httpx").setLevel(logging.WARNING)
        tokens = platform.create_learners(args.learners)
        for _ in range(args.repeats):
            runs["one run"].append(phase(platform, tokens[:1], 1, args.workers, args.timeout))
            runs["class, packed"].append(
                phase(platform, tokens, args.learners, args.workers, args.timeout))
            if not args.skip_unpacked:
                runs["class, unpacked"].append(
                    phase(platform, tokens, 1, args.workers, args.timeout))
    one = summary([run["seconds"] for run in runs["one run"]])
    rows, results = [], {"preset": PRESET, "learners": args.learners,
                         "workers": args.workers, "phases": {}}
    for name, measured in runs.items():
        if not measured:
            continue
        seconds = summary([run["seconds"] for run in measured])
        ratios = summary([run["seconds"] / alone["seconds"]
                          for run, alone in zip(measured, runs["one run"], strict=True)])
        results["phases"][name] = {"seconds": seconds, "ratio_to_one_run": ratios,
                                   "runs": measured}
        rows.append([name, measured[0]["jobs"], f"{seconds['median']:.2f}",
                     f"{seconds['min']:.2f}..{seconds['max']:.2f}", f"{ratios['median']:.2f}",
                     f"{ratios['min']:.2f}..{ratios['max']:.2f}",
                     sum(len(run["failed"]) for run in measured),
                     min(run["streamed_in_full"] for run in measured),
                     min(run["packed"] for run in measured)])
    print_table(
        f"A class of {args.learners}: the optimizers lab's preset, {args.workers} worker "
        f"process(es), {args.repeats} repeats (one run: median {one['median']:.2f} s)",
        ["phase", "jobs", "median s", "spread s", "× one run", "spread ×", "failed",
         "streamed in full (min)", "packed (min)"],
        rows)
    for run in runs["class, packed"]:
        print(f"  packed class, seconds after the first submission: {run['breakdown']}, "
              f"last end {run['seconds']:.2f}")
    load = f"load average {load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after"
    print(f"  {load} (2 shared cores)")
    results["load_average"] = {"before": load_before, "after": os.getloadavg()}
    save_results("class", results)
    ok = all(not run["failed"] and run["streamed_in_full"] == run["jobs"]
             for measured in runs.values() for run in measured)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
