"""Cancel latency: from POST /api/v1/jobs/<id>/cancel/ to the job stopped, one command:

    python bench/cancel_bench.py [--runs 20] [--busy 0]

Each run submits a long job, waits until it trains (a metric is stored), cancels it through
the API and times two moments: the job's row `cancelled` (what the API answers from then
on) and the `cancelled` status event reaching a viewer's event stream (what the learner
sees). The README promises well under a second at rest; `--busy N` keeps N processes
spinning on the CPU meanwhile, to measure a busy machine. The baseline, measured in the
same run, is a trivial request (GET /healthz/) to the same server.
"""

import argparse
import multiprocessing
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Platform, percentile, print_table, save_results  # noqa: E402

LONG = {
    "model": {"kind": "mlp", "hidden": [16, 16], "activation": "relu"},
    "data": {"name": "moons", "n_samples": 2000, "noise": 0.2, "val_fraction": 0.2, "seed": 0},
    "optim": {"name": "sgd", "lr": 0.05, "batch_size": 1, "epochs": 60},
}


def spin(stop) -> None:
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def one_cancel(platform: Platform, client: httpx.Client) -> tuple[float, float]:
    from jobs.models import JobEvent, JobStatus, TrainingJob

    job = client.post("/api/v1/jobs/", json={"config": LONG}).json()
    deadline = time.monotonic() + 120
    while not JobEvent.objects.filter(job_id=job["id"], type="metric").exists():
        assert time.monotonic() < deadline, "the job did not start"
        time.sleep(0.02)
    seen: dict[str, float] = {}

    def watch() -> None:
        with httpx.stream("GET", job["urls"]["events"], headers=platform.headers,
                          timeout=60) as response:
            for line in response.iter_lines():
                if '"status": "cancelled"' in line or '"status":"cancelled"' in line:
                    seen["stream"] = time.perf_counter()
                    return

    viewer = threading.Thread(target=watch, daemon=True)
    viewer.start()
    time.sleep(0.5)  # the viewer is following live
    t0 = time.perf_counter()
    assert client.post(f"/api/v1/jobs/{job['id']}/cancel/").status_code == 200
    while TrainingJob.objects.get(pk=job["id"]).status != JobStatus.CANCELLED:
        time.sleep(0.005)
    row = time.perf_counter() - t0
    viewer.join(timeout=30)
    return row, seen.get("stream", float("nan")) - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--busy", type=int, default=0, help="CPU-spinning processes meanwhile")
    args = parser.parse_args()
    stop = multiprocessing.Event()
    spinners = [multiprocessing.Process(target=spin, args=(stop,)) for _ in range(args.busy)]
    with Platform() as platform:
        platform.setup_django()
        for process in spinners:
            process.start()
        try:
            with httpx.Client(base_url=platform.url, headers=platform.headers,
                              timeout=30) as client:
                trivial = []
                for _ in range(50):
                    t0 = time.perf_counter()
                    client.get("/healthz/")
                    trivial.append(time.perf_counter() - t0)
                rows, streams = zip(*(one_cancel(platform, client) for _ in range(args.runs)),
                                    strict=True)
        finally:
            stop.set()
            for process in spinners:
                process.join()
    base = percentile(trivial, 0.5)
    table = [[name, f"{percentile(v, 0.5):.3f}", f"{percentile(v, 0.95):.3f}",
              f"{max(v):.3f}", f"{percentile(v, 0.95) / base:.0f}"]
             for name, v in (("job row cancelled", rows), ("viewer sees it", streams))]
    print_table(f"Cancel latency, {args.runs} runs, {args.busy} busy processes (seconds)",
                ["", "p50", "p95", "max", "p95 / trivial request"], table)
    print(f"trivial request p50: {base * 1000:.1f} ms; goal: p95 under 1 s at rest")
    save_results("cancel", {"runs": args.runs, "busy": args.busy, "trivial_p50_s": base,
                            "row_s": list(rows), "stream_s": list(streams)})


if __name__ == "__main__":
    main()
