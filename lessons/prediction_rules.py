"""What makes a predict-then-run question valid: its kinds, the run numbers it may be about,
its choices' ranges, and its run's changes against its lab.

Apart from `predictions` (which judges predictions and reads the models) so that the models'
`clean` can use it, as `challenge_rules` is for challenges: with these checks in
`predictions`, the models and `predictions` imported each other.
"""

import math
from collections.abc import Iterable, Mapping
from types import SimpleNamespace
from typing import TypeGuard

from django.db import models

from lessons.challenge_rules import METRICS
from lessons.labs import _fmt, _with_value, check_lab_config, normalize_preset


class PredictionKind(models.TextChoices):
    CHOICE = "choice", "Pick a range"
    NUMERIC = "numeric", "Estimate the number"


# The numbers a prediction may be about: the challenges' summary numbers, and two read off
# the curves, which say how a run overfits.
DERIVED = {
    "val_loss_over_best": "final validation loss as a multiple of its lowest",
    "accuracy_gap": "training accuracy minus validation accuracy (last epoch)",
}
OUTCOMES = {**METRICS, "best_val_loss_epoch": "epoch of the lowest validation loss", **DERIVED}


def is_finite_number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def range_error(low: object, high: object) -> str | None:
    """Why [low, high) cannot be a choice's range (an end may be None: no end there)."""
    for end in (low, high):
        if end is not None and not is_finite_number(end):
            return "the ends of a range must be numbers"
    if low is None and high is None:
        return "give the range at least one end (low, high or both)"
    if is_finite_number(low) and is_finite_number(high) and low >= high:
        return f"low ({_fmt(low)}) must be below high ({_fmt(high)})"
    return None


def ranges_error(ranges: Iterable[tuple[float | None, float | None]]) -> str | None:
    """Why a range question's choices could not settle a run: fewer than two, or overlapping
    (a run's number must fall in at most one of them)."""
    spans = sorted(((-math.inf if low is None else low), (math.inf if high is None else high))
                   for low, high in ranges)
    if len(spans) < 2:
        return "a range question needs at least 2 choices"
    for (_, high), (low, _) in zip(spans, spans[1:], strict=False):
        if low < high:
            return "the choices' ranges overlap: a run's number must fall in one at most"
    return None


def validate_question(*, kind: object, run_changes: object, outcome: object,
                      tolerance: object, lab) -> dict[str, str]:
    """What is wrong with a prediction question's definition: {field: reason}."""
    errors: dict[str, str] = {}
    if kind not in PredictionKind.values:
        errors["kind"] = f"must be one of {', '.join(PredictionKind.values)}"
    if outcome not in OUTCOMES:
        errors["outcome"] = f"must be one of {', '.join(OUTCOMES)}"
    if not is_finite_number(tolerance) or tolerance < 0:
        errors["tolerance"] = "must be a number ≥ 0"
    if not isinstance(run_changes, dict):
        errors["run_changes"] = 'must map config paths to values, e.g. {"model.dropout": 0.5}'
        return errors
    if getattr(lab, "preset_config", None):
        problems = _run_changes_errors(lab, run_changes)
        if problems:
            path, reason = next(iter(problems.items()))
            errors["run_changes"] = f"{path}: {reason}"
    return errors


def _run_changes_errors(lab, run_changes: Mapping[str, object]) -> dict[str, str]:
    """The changes must make a config the lab accepts: the run is a run of the lab."""
    preset, problems = normalize_preset(lab.preset_config)
    if problems:
        return {}  # the lab's own preset is reported where it is wrong
    config = preset
    for path, value in run_changes.items():
        node: object = config
        for key in path.split(".")[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict) or path.split(".")[-1] not in node:
            return {path: "not a field of the config"}
        config = _with_value(config, path, value)
    normalized, problems = normalize_preset(config)
    if problems:
        return problems
    rules = SimpleNamespace(preset_config=preset, tunable=lab.tunable or {})
    return check_lab_config(rules, normalized)
