"""Load test: many learners submitting jobs while many viewers follow them live.

    python bench/load_test.py [--submitters 50] [--viewers 200] [--seconds 60]

Starts the platform as a user would (uvicorn and Celery workers on PostgreSQL and Redis),
then for a set time runs closed-loop submitters (submit a small job, wait for its end,
repeat) and viewers (open a running job's event stream, read it to the end). Every stream
read is checked against the job's stored history: no event lost, none duplicated. Prints
errors (must be 0), lost and duplicated events (must be 0) and latency percentiles.
Traffic goes to 127.0.0.1 only, and every loop stops at the deadline.
"""

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from platform_bench import Platform, percentile  # noqa: E402

TINY = {
    "model": {"kind": "mlp", "hidden": [8], "activation": "relu"},
    "data": {"name": "moons", "n_samples": 200, "noise": 0.2, "val_fraction": 0.2, "seed": 0},
    "optim": {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": 3},
}


class Stats:
    def __init__(self) -> None:
        self.submit_ms: list[float] = []
        self.first_byte_ms: list[float] = []
        self.errors: list[str] = []
        self.streams_checked = 0
        self.events_checked = 0
        self.lost = 0
        self.duplicated = 0
        self.jobs: list[tuple[int, str]] = []  # (job id, its owner's token), newest last
        self.finished = 0


async def submitter(client: httpx.AsyncClient, token: str, deadline: float, stats: Stats):
    headers = {"Authorization": f"Token {token}"}
    while time.monotonic() < deadline:
        start = time.perf_counter()
        response = await client.post("/api/v1/jobs/", json={"config": TINY}, headers=headers)
        stats.submit_ms.append((time.perf_counter() - start) * 1000)
        if response.status_code != 201:
            stats.errors.append(f"submit {response.status_code}: {response.text[:200]}")
            await asyncio.sleep(1)
            continue
        job_id = response.json()["id"]
        stats.jobs.append((job_id, token))
        while time.monotonic() < deadline + 120:  # let started jobs end
            polled = await client.get(f"/api/v1/jobs/{job_id}/", headers=headers)
            if polled.status_code != 200:
                stats.errors.append(f"poll {polled.status_code}: {polled.text[:200]}")
                await asyncio.sleep(1)
                continue
            status = polled.json()["status"]
            if status in ("succeeded", "failed", "cancelled"):
                if status != "succeeded":
                    stats.errors.append(f"job {job_id} {status}")
                stats.finished += 1
                break
            await asyncio.sleep(0.5)


async def viewer(client: httpx.AsyncClient, token: str, deadline: float, stats: Stats):
    """Follows its learner's runs, newest first (so each learner's open streams stay
    within the per-user cap: viewers are spread evenly over the learners)."""
    while time.monotonic() < deadline:
        own = [job_id for job_id, owner in stats.jobs[-200:] if owner == token]
        if not own:
            await asyncio.sleep(0.2)
            continue
        job_id = random.choice(own[-3:])  # mostly runs still going
        headers = {"Authorization": f"Token {token}"}
        seqs: list[int] = []
        start = time.perf_counter()
        try:
            async with client.stream("GET", f"/api/v1/jobs/{job_id}/events/", headers=headers,
                                     timeout=180) as response:
                if response.status_code != 200:
                    stats.errors.append(f"stream {response.status_code}")
                    await asyncio.sleep(1)
                    continue
                first = True
                async for line in response.aiter_lines():
                    if first:
                        stats.first_byte_ms.append((time.perf_counter() - start) * 1000)
                        first = False
                    if line.startswith("id: "):
                        seqs.append(int(line[4:]))
            fetched = await client.get(f"/api/v1/jobs/{job_id}/metrics/", headers=headers)
        except httpx.HTTPError as exc:
            stats.errors.append(f"stream error {exc!r}")
            continue
        if fetched.status_code != 200:
            stats.errors.append(f"history {fetched.status_code}: {fetched.text[:200]}")
            continue
        history = fetched.json()
        stored = [event["seq"] for event in history["events"]]
        stats.streams_checked += 1
        stats.events_checked += len(seqs)
        stats.duplicated += len(seqs) - len(set(seqs))
        stats.lost += len(set(stored) - set(seqs))


async def run(platform: Platform, tokens: list[str], args) -> Stats:
    stats = Stats()
    deadline = time.monotonic() + args.seconds
    limits = httpx.Limits(max_connections=args.viewers + args.submitters + 10)
    async with httpx.AsyncClient(base_url=platform.url, timeout=60, limits=limits) as client:
        await asyncio.gather(
            *(submitter(client, tokens[i % len(tokens)], deadline, stats)
              for i in range(args.submitters)),
            *(viewer(client, tokens[i % len(tokens)], deadline, stats)
              for i in range(args.viewers)),
        )
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submitters", type=int, default=50)
    parser.add_argument("--viewers", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    args = parser.parse_args()
    with Platform(worker_concurrency=args.workers) as platform:
        tokens = platform.create_learners(args.submitters)
        started = time.monotonic()
        stats = asyncio.run(run(platform, tokens, args))
        elapsed = time.monotonic() - started
    rows = [
        ("duration", f"{elapsed:.0f} s"),
        ("jobs submitted / finished", f"{len(stats.submit_ms)} / {stats.finished}"),
        ("submit latency p50 / p95 / p99",
         " / ".join(f"{percentile(stats.submit_ms, q):.0f}" for q in (.5, .95, .99)) + " ms"),
        ("streams read to the end and checked", str(stats.streams_checked)),
        ("events checked", str(stats.events_checked)),
        ("stream first byte p50 / p95",
         " / ".join(f"{percentile(stats.first_byte_ms or [0], q):.0f}" for q in (.5, .95))
         + " ms"),
        ("errors (must be 0)", str(len(stats.errors))),
        ("lost events (must be 0)", str(stats.lost)),
        ("duplicated events (must be 0)", str(stats.duplicated)),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"\nLoad test: {args.submitters} submitters, {args.viewers} viewers")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    kinds: dict[str, int] = {}
    for error in stats.errors:
        kinds[error[:60]] = kinds.get(error[:60], 0) + 1
    for kind, count in sorted(kinds.items(), key=lambda item: -item[1])[:10]:
        print(f"  error x{count}: {kind}")
    sys.exit(1 if stats.errors or stats.lost or stats.duplicated else 0)


if __name__ == "__main__":
    main()
