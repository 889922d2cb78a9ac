"""Comparing runs: which config fields differ, per-epoch curves, and repeated seeds.

Runs whose configs differ only in `data.seed` are repeats of one experiment: their curves
are averaged into mean ± sample standard deviation bands, over the epochs every repeat
reached.
"""

import math
from dataclasses import dataclass, field

from jobs import history
from jobs.models import TrainingJob

SEED_PATH = "data.seed"
# Curves offered on the compare page, first present one shown first.
CURVE_KEYS = ("val_loss", "val_accuracy", "train_loss", "train_accuracy")


def flatten(config: dict, prefix: str = "") -> dict[str, object]:
    """{"model": {"kind": "mlp"}} -> {"model.kind": "mlp"}; lists stay values."""
    flat: dict[str, object] = {}
    for key, value in config.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


@dataclass
class ConfigRow:
    path: str
    values: list[object]
    differs: bool


def config_table(configs: list[dict]) -> list[ConfigRow]:
    """One row per config field (differing ones first); a field a run lacks shows as None."""
    flats = [flatten(config) for config in configs]
    paths = sorted({path for flat in flats for path in flat})
    rows = []
    for path in paths:
        values = [flat.get(path) for flat in flats]
        rows.append(ConfigRow(path, values, any(v != values[0] for v in values[1:])))
    return sorted(rows, key=lambda row: not row.differs)


def _experiment_key(config: dict) -> str:
    flat = flatten(config)
    flat.pop(SEED_PATH, None)
    return repr(sorted(flat.items()))


@dataclass
class SeedGroup:
    job_ids: list[int]
    seeds: list[int]
    label: str
    epochs: list[int] = field(default_factory=list)
    mean: dict[str, list[float]] = field(default_factory=dict)
    std: dict[str, list[float]] = field(default_factory=dict)


def seed_groups(jobs: list[TrainingJob], rows_by_job: dict[int, list[dict]]) -> list[SeedGroup]:
    """Groups of at least two runs that differ only in their seed, with mean ± std curves."""
    groups: dict[str, list[TrainingJob]] = {}
    for job in jobs:
        groups.setdefault(_experiment_key(job.config), []).append(job)
    result = []
    for members in groups.values():
        if len(members) < 2:
            continue
        seeds = [flatten(job.config).get(SEED_PATH) for job in members]
        group = SeedGroup(
            job_ids=[job.pk for job in members],
            seeds=seeds,
            label=f"runs {', '.join(f'#{job.pk}' for job in members)} "
            f"(seeds {', '.join(map(str, seeds))})",
        )
        per_job = [{row["epoch"]: row for row in rows_by_job[job.pk]} for job in members]
        common = sorted(set.intersection(*(set(rows) for rows in per_job))) if per_job else []
        group.epochs = common
        for key in CURVE_KEYS:
            series = [[rows[e].get(key) for e in common] for rows in per_job]
            if not common or any(v is None for s in series for v in s):
                continue
            group.mean[key] = [_mean(column) for column in zip(*series, strict=True)]
            group.std[key] = [_std(column) for column in zip(*series, strict=True)]
        result.append(group)
    return result


def _mean(values) -> float:
    return sum(values) / len(values)


def _std(values) -> float:
    """Sample standard deviation (ddof 1) across the repeats, as cross-validation's summary
    gives across folds: the runs are a sample of the seeds one could have drawn."""
    mean = _mean(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def compare_data(jobs: list[TrainingJob]) -> dict:
    """Everything the compare page draws, as JSON-ready data."""
    metrics = history.metric_events(job.pk for job in jobs)
    rows_by_job = {job_id: history.epoch_rows(events) for job_id, events in metrics.items()}
    runs = []
    for job in jobs:
        rows = rows_by_job[job.pk]
        runs.append(
            {
                "id": job.pk,
                "status": job.status,
                "label": f"#{job.pk}",
                "epochs": [row.get("epoch") for row in rows],
                "curves": {
                    key: [row.get(key) for row in rows]
                    for key in CURVE_KEYS
                    if any(row.get(key) is not None for row in rows)
                },
                "best": history.best_values(rows),
            }
        )
    groups = seed_groups(jobs, rows_by_job)
    return {
        "runs": runs,
        "groups": [group.__dict__ for group in groups],
        "curve_keys": [key for key in CURVE_KEYS if any(key in run["curves"] for run in runs)],
    }
