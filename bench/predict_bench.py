"""Prediction serving benchmark (PostgreSQL and Redis on this machine, like CI):

    python bench/predict_bench.py [--requests 300] [--clients 4]

Trains a digits MLP through the platform (bench/platform_bench.py's Platform: uvicorn and
a Celery worker on a database of their own), deploys it, then measures
POST /api/v1/models/<id>/predict/ over HTTP (one client, keep-alive: latency p50/p95; then
--clients concurrent clients: requests/s) for a batch of 1 and of 100 digits, against the
same served module called in-process (input checks + forward pass). Prints the table and
the HTTP/in-process ratios and saves them under bench/results/.
"""

import argparse
import io
import json
import logging
import os
import statistics
import sys
import threading
import time
from datetime import date
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.harness import DB_NAME, Platform, percentile  # noqa: E402

DIGITS = {
    "model": {"kind": "mlp", "hidden": [64, 64], "activation": "relu"},
    "data": {"name": "digits", "n_samples": 1797, "val_fraction": 0.2, "seed": 0},
    "optim": {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": 5},
}
BATCHES = (1, 100)


def timed(call, n: int) -> list[float]:
    """Seconds per call, after a few warm-up calls."""
    for _ in range(5):
        call()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return times


def throughput(url: str, headers: dict, body: dict, clients: int, seconds: float) -> float:
    """Requests per second with `clients` keep-alive clients posting back to back."""
    done = [0] * clients
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        with httpx.Client(headers=headers, timeout=30) as http:
            while time.monotonic() < stop:
                http.post(url, json=body).raise_for_status()
                done[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - t0)


def in_process_model(platform: Platform, job_id: int):
    """The same Served module the web process builds, from the downloaded weights."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dlplatform.settings")
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # Django's logging config logs each
    import torch

    from deployments import checks, serving
    from engine import parse_config
    from engine.datasets import load_dataset
    from engine.models import build_model

    data = httpx.get(f"{platform.url}/api/v1/jobs/{job_id}/model/", headers=platform.headers,
                     timeout=30).content
    saved = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    config = parse_config(saved["config"])
    model = build_model(config.model, config.data)
    model.load_state_dict(saved["state_dict"])
    # The run's own normalization, drawn here as its run drew it (the bench has no database).
    normalization = load_dataset(config.data).normalization.as_dict()
    served = serving.Served(model.eval(), normalization,
                           classifies=True, windows=False, text=False).eval()
    spec = serving.input_spec("digits", config.data.window)

    def predict(inputs: list) -> list:
        with torch.inference_mode():
            return served(checks.as_batch(inputs, spec)).tolist()

    return predict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    rows = []
    with Platform() as platform:
        job = platform.submit_and_follow(DIGITS)
        deployed = httpx.post(f"{platform.url}/api/v1/jobs/{job['id']}/deploy/", json={},
                              headers=platform.headers, timeout=60)
        deployed.raise_for_status()
        url = deployed.json()["urls"]["predict"]
        local = in_process_model(platform, job["id"])
        with httpx.Client(headers=platform.headers, timeout=30) as http:
            for batch in BATCHES:
                body = {"inputs": rng.integers(0, 17, (batch, 64)).tolist()}
                over_http = timed(
                    lambda body=body: http.post(url, json=body).raise_for_status(), args.requests
                )
                in_process = timed(lambda body=body: local(body["inputs"]), args.requests)
                rate = throughput(url, platform.headers, body, args.clients, args.seconds)
                rows.append({
                    "batch": batch,
                    "http_p50_ms": percentile(over_http, 0.5) * 1000,
                    "http_p95_ms": percentile(over_http, 0.95) * 1000,
                    "http_requests_per_s_1_client": 1 / statistics.mean(over_http),
                    f"http_requests_per_s_{args.clients}_clients": rate,
                    "in_process_p50_ms": percentile(in_process, 0.5) * 1000,
                    "in_process_p95_ms": percentile(in_process, 0.95) * 1000,
                    "ratio_p50": percentile(over_http, 0.5) / percentile(in_process, 0.5),
                })
        stats = httpx.get(deployed.json()["urls"]["self"], headers=platform.headers).json()
    print_table(rows)
    print(f"\nserver-side: {stats['request_count']} requests, {stats['prediction_count']} "
          f"predictions, mean latency {stats['mean_latency_ms']:.2f} ms (cache lookup, "
          "checks, forward pass; not HTTP, auth or the counter UPDATE)")
    out = ROOT / "bench" / "results" / f"predict-{date.today().isoformat()}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"rows": rows, "server": stats, "args": vars(args)}, indent=2))
    print(f"saved {out.relative_to(ROOT)}")


def print_table(rows: list[dict]) -> None:
    keys = list(rows[0])
    print("\n" + " | ".join(f"{key:>14}" for key in keys))
    for row in rows:
        print(" | ".join(f"{row[key]:>14.2f}" if isinstance(row[key], float)
                         else f"{row[key]:>14}" for key in keys))
    for row in rows:
        print(f"batch {row['batch']}: HTTP p50 is {row['ratio_p50']:.1f}x the in-process call")


if __name__ == "__main__":
    main()
