"""Packed training benchmark: K small MLP jobs trained together (engine/packed.py, one
torch.vmap pass) versus the same K jobs trained one by one through the engine's `train()`.

    python bench/packed_bench.py [--epochs 5] [--solo-sample 8] [--repeats 3]

A model-step is one optimizer step of one job. Both sides are timed end to end: each job's
data loading, its training and its per-epoch evaluation; `train()` also builds the events
a worker streams (confusion matrix, classification report, decision-boundary snapshots),
which packed training does not. Solo figures for K above --solo-sample are extrapolated
linearly from the first --solo-sample jobs (every K trains jobs with seeds 0..K-1, so the
sample is the same jobs for every K). One intra-op thread, as the workers run.

Prints a table and saves it under bench/results/ with the date.
"""

import argparse
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import parse_config  # noqa: E402
from engine.datasets import load_dataset  # noqa: E402
from engine.models import build_model  # noqa: E402
from engine.packed import can_pack, train_packed  # noqa: E402
from engine.training import train  # noqa: E402

K_VALUES = (1, 8, 32, 128)
LRS = (0.003, 0.01, 0.03)  # the jobs of a lab's lr sweep, one seed each
SMALL = {
    "model": {"kind": "mlp", "hidden": [16, 16], "activation": "relu"},
    "data": {"name": "moons", "n_samples": 500, "noise": 0.2, "val_fraction": 0.2},
    "optim": {"name": "adam", "batch_size": 32},
}


def job_configs(count: int, epochs: int) -> list:
    """`count` jobs of the lab config: seeds 0..count-1, lrs cycling through LRS."""
    return [
        parse_config({
            **SMALL,
            "data": {**SMALL["data"], "seed": seed},
            "optim": {**SMALL["optim"], "lr": LRS[seed % len(LRS)], "epochs": epochs},
        })
        for seed in range(count)
    ]


def time_packed(configs: list, repeats: int) -> tuple[float, list]:
    """Best wall time of `repeats` packed runs, and the last run's results."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        results = train_packed(configs)
        times.append(time.perf_counter() - start)
    return min(times), results


def time_solo(configs: list, repeats: int) -> tuple[list[float], list]:
    """Per job, the best wall time of `repeats` runs of `train()`; and the trained models."""
    times, models = [], []
    for config in configs:
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            result = train(config, lambda event: None)
            best = min(best, time.perf_counter() - start)
        times.append(best)
        models.append(result.model)
    return times, models


def time_loading(configs: list) -> float:
    """Wall time of drawing every job's data and initial weights, which both sides pay per
    job and packing does not share: the floor under packed time as K grows."""
    start = time.perf_counter()
    for config in configs:
        torch.manual_seed(config.data.seed)
        load_dataset(config.data)
        build_model(config.model, config.data)
    return time.perf_counter() - start


def max_difference(first: torch.nn.Module, second: torch.nn.Module) -> float:
    pairs = zip(first.parameters(), second.parameters(), strict=True)
    return max((a - b).abs().max().item() for a, b in pairs)


def measure(k: int, args, solo_times: list[float], solo_models: list) -> dict:
    configs = job_configs(k, args.epochs)
    assert can_pack(configs) is None, can_pack(configs)
    packed_s, results = time_packed(configs, args.repeats)
    timed = min(k, args.solo_sample)
    solo_s = statistics.fmean(solo_times[:timed]) * k
    model_steps = k * results[0].history[-1]["step"]
    return {
        "k": k,
        "model_steps": model_steps,
        "packed_s": packed_s,
        "loading_s": time_loading(configs),
        "packed_model_steps_per_s": model_steps / packed_s,
        "solo_s": solo_s,
        "solo_jobs_timed": timed,
        "solo_extrapolated": timed < k,
        "solo_model_steps_per_s": model_steps / solo_s,
        "speedup": solo_s / packed_s,
        "max_abs_param_diff": max(
            max_difference(solo, packed.model)
            for solo, packed in zip(solo_models[:timed], results, strict=False)
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--solo-sample", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)  # as the worker runs (DLP_TORCH_NUM_THREADS)
    train_packed(job_configs(2, 1))  # warm: imports, first vmap trace, sklearn
    train(job_configs(1, 1)[0], lambda event: None)
    solo_times, solo_models = time_solo(job_configs(args.solo_sample, args.epochs), args.repeats)
    results = {
        "date": date.today().isoformat(),
        "config": {**SMALL, "optim": {**SMALL["optim"], "lrs": LRS, "epochs": args.epochs}},
        "threads": 1,
        "repeats": args.repeats,
        "solo_sample": args.solo_sample,
        "rows": [measure(k, args, solo_times, solo_models) for k in K_VALUES],
    }
    print_table(results)
    out = ROOT / "bench" / "results" / f"packed-{results['date']}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"\nsaved {out.relative_to(ROOT)}")


def print_table(results: dict) -> None:
    header = ("K", "model-steps", "packed s", "of it loading", "packed steps/s", "solo s",
              "solo steps/s", "speed-up", "max |Δparam|")
    print(f"\nPacked training benchmark {results['date']}: moons MLP [16, 16], 500 samples, "
          f"batch 32, adam, {results['config']['optim']['epochs']} epochs, 1 thread; "
          f"best of {results['repeats']} runs")
    print("  " + "  ".join(f"{name:>14}" for name in header))
    for row in results["rows"]:
        solo = f"{row['solo_s']:.2f}" + ("*" if row["solo_extrapolated"] else "")
        cells = (
            row["k"], row["model_steps"], f"{row['packed_s']:.2f}", f"{row['loading_s']:.2f}",
            f"{row['packed_model_steps_per_s']:.0f}", solo,
            f"{row['solo_model_steps_per_s']:.0f}", f"{row['speedup']:.1f}x",
            f"{row['max_abs_param_diff']:.1e}",
        )
        print("  " + "  ".join(f"{cell:>14}" for cell in cells))
    print(f"  * solo time extrapolated linearly from {results['solo_sample']} jobs trained "
          "through train(); max |Δparam| compares packed and solo weights of those jobs.")
    print("  Both sides include data loading (column 'of it loading': data and initial weights "
          "of the K jobs)\n  and per-epoch evaluation; train() also builds its events "
          "(snapshots, reports). Shared machine: figures are noisy.")


if __name__ == "__main__":
    main()
