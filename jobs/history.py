"""A run's history read back from its events: per-epoch rows, best values, CSV rows.

Read-only helpers over JobEvent rows, shared by the compare page and the exports. Metric
payloads differ by kind of model (regression, GAN and autoencoder runs have no accuracy),
so every function works with whatever keys the rows have.
"""

from collections.abc import Iterable

from jobs.models import JobEvent

# Columns that describe where a metric row sits rather than what it measured.
POSITION_KEYS = ("scope", "fold", "epoch", "epochs", "step")
# Best value of each known metric: lower is better unless listed here.
HIGHER_IS_BETTER = {"train_accuracy", "val_accuracy", "d_real"}


def metric_events(job_ids: Iterable[int]) -> dict[int, list[dict]]:
    """Every metric payload of these jobs, oldest first, keyed by job id."""
    by_job: dict[int, list[dict]] = {job_id: [] for job_id in job_ids}
    rows = (
        JobEvent.objects.filter(job_id__in=list(by_job), type="metric")
        .order_by("job_id", "seq")
        .values_list("job_id", "seq", "payload")
    )
    for job_id, seq, payload in rows:
        by_job[job_id].append({"seq": seq, **payload})
    return by_job


def epoch_rows(metrics: list[dict]) -> list[dict]:
    """The per-epoch metric rows; under cross-validation, those of the last fold only."""
    rows = [m for m in metrics if m.get("scope") == "epoch"]
    folds = {row.get("fold") for row in rows}
    if len(folds) > 1:
        last = max(f for f in folds if f is not None)
        rows = [row for row in rows if row.get("fold") == last]
    return rows


def numeric_keys(rows: list[dict]) -> list[str]:
    """Metric names with a number in some row, in the order they first appear."""
    keys: dict[str, None] = {}
    for row in rows:
        for key, value in row.items():
            if key in POSITION_KEYS or key == "seq":
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                keys.setdefault(key, None)
    return list(keys)


def best_values(rows: list[dict]) -> dict[str, dict]:
    """For each metric: its best value over the epochs and the epoch it was reached."""
    best: dict[str, dict] = {}
    for key in numeric_keys(rows):
        higher = key in HIGHER_IS_BETTER
        for row in rows:
            value = row.get(key)
            if not isinstance(value, int | float) or isinstance(value, bool):
                continue
            current = best.get(key)
            better = current is None or (
                value > current["value"] if higher else value < current["value"]
            )
            if better:
                best[key] = {"value": value, "epoch": row.get("epoch")}
    return best


def lowest_val_losses(job_ids: Iterable[int]) -> dict[int, float]:
    """The lowest per-epoch validation loss of each of these jobs that has one."""
    lowest = {}
    for job_id, metrics in metric_events(job_ids).items():
        best = best_values(epoch_rows(metrics)).get("val_loss")
        if best is not None:
            lowest[job_id] = best["value"]
    return lowest


def csv_table(metrics: list[dict]) -> tuple[list[str], list[list]]:
    """(header, rows) of every metric event: position columns, then each metric's column."""
    present = [key for key in POSITION_KEYS if any(key in m for m in metrics)]
    header = ["seq", *present, *numeric_keys(metrics)]
    return header, [[m.get(column, "") for column in header] for m in metrics]
