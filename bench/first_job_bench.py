"""The first job after a worker starts against a warm one (issue 18):

    python bench/first_job_bench.py [--starts 5] [--warm-jobs 3]

Each round starts a fresh Celery worker process (`--concurrency 1`), waits until it
answers a ping (its parent has imported the tasks and warmed up, and its child has warmed
up: training_worker/warm_start.py), submits SMALL and times
POST → first `metric` event at an SSE client, then does the same for `--warm-jobs` more
jobs on the now warm worker, and stops the worker. The web process stays up (and warm)
for all rounds, so the difference is the worker's. The figure is first ÷ median warm of
each round; the medians and the spread over the rounds are printed and saved.
"""

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import SMALL, Platform, print_table, save_results  # noqa: E402


def wait_until_ready(platform: Platform, name: str, timeout_s: float = 120) -> float:
    """Seconds until the worker `name` answers a ping."""
    from dlplatform.celery import app  # noqa: PLC0415  (after setup_django: needs settings)

    start = time.perf_counter()
    while time.perf_counter() - start < timeout_s:
        if app.control.ping(destination=[name], timeout=0.5):
            return time.perf_counter() - start
        if any(worker.poll() is not None for worker in platform.workers):
            raise RuntimeError("the worker exited while starting")
    raise TimeoutError(f"worker {name} did not answer within {timeout_s} s")


def one_round(platform: Platform, warm_jobs: int) -> dict:
    platform.start_workers(1)
    ready_s = wait_until_ready(platform, platform.worker_names[-1])
    first = platform.submit_and_follow(SMALL)["first_metric"] * 1000
    warm = [platform.submit_and_follow(SMALL)["first_metric"] * 1000 for _ in range(warm_jobs)]
    platform.stop_workers()
    warm_ms = statistics.median(warm)
    return {"ready_s": ready_s, "first_ms": first, "warm_ms": warm_ms, "ratio": first / warm_ms}


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--warm-jobs", type=int, default=3)
    parser.add_argument("--name", default="first-job")
    args = parser.parse_args()
    with Platform() as platform:  # its warm-up job also warms the web process
        platform.setup_django()
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
        platform.stop_workers()
        rounds = [one_round(platform, args.warm_jobs) for _ in range(args.starts)]
    summary = {key: spread([r[key] for r in rounds])
               for key in ("first_ms", "warm_ms", "ratio", "ready_s")}
    print_table(
        f"First job after a worker start vs warm jobs, {args.starts} starts "
        f"({args.warm_jobs} warm jobs each); POST → first metric at an SSE client",
        ["figure", "median", "min", "max"],
        [[key, s["median"], s["min"], s["max"]] for key, s in summary.items()])
    save_results(args.name, {"starts": args.starts, "warm_jobs": args.warm_jobs,
                             "summary": summary, "rounds": rounds})


if __name__ == "__main__":
    main()
