"""What a sweep runs: a lab's preset over a grid of one or two of its tunable fields, each
grid point repeated with several seeds, and checking that grid before anything is queued.

A sweep's runs are lab runs: each config is the lab's preset with the point's values and a
`data.seed`, and must stay within the lab's bounds, except the seed, which a sweep varies
even where the lab does not let learners change it (seeds make repeats, not a new setting).
"""

import copy
import itertools
import json
from dataclasses import dataclass
from types import SimpleNamespace

from engine import ConfigError, parse_config
from lessons.labs import check_lab_config

SEED_PATH = "data.seed"
MAX_GRID_FIELDS = 2
MAX_SEED = 2**31 - 1


@dataclass
class SweepPlan:
    grid: dict[str, list]
    seeds: list[int]
    runs: list[tuple[dict, int, dict]]  # (grid point, seed, config)


class SweepInvalid(Exception):
    """The grid or seeds are not acceptable: `errors` maps each field to its reason."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def point_label(point: dict) -> str:
    """{"optim.lr": 0.1, "model.dropout": 0} → "optim.lr = 0.1, model.dropout = 0"."""
    return ", ".join(f"{path} = {json.dumps(value)}" for path, value in point.items())


def _with_value(config: dict, path: str, value: object) -> None:
    node = config
    *parents, leaf = path.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[leaf] = value


def _seeds(seeds: object) -> list[int]:
    """A count n (seeds 0 … n - 1) or a list of distinct seeds."""
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        if seeds < 1:
            raise SweepInvalid({"seeds": "must be at least 1"})
        return list(range(seeds))
    if not isinstance(seeds, list) or not seeds:
        raise SweepInvalid({"seeds": "must be a count (e.g. 3) or a non-empty list of seeds"})
    if any(not isinstance(s, int) or isinstance(s, bool) or not 0 <= s <= MAX_SEED
           for s in seeds):
        raise SweepInvalid({"seeds": f"each seed must be a whole number from 0 to {MAX_SEED}"})
    if len(set(seeds)) != len(seeds):
        raise SweepInvalid({"seeds": "each seed may appear once"})
    return seeds


def _grid(lab, grid: object) -> dict[str, list]:
    if not isinstance(grid, dict) or not 1 <= len(grid) <= MAX_GRID_FIELDS:
        raise SweepInvalid({"grid": "must map one or two of the lab's tunable fields to "
                                    'lists of values, e.g. {"optim.lr": [0.01, 0.1]}'})
    tunable = lab.tunable or {}
    errors = {}
    for path, values in grid.items():
        if path == SEED_PATH:
            errors[f"grid.{path}"] = "seeds are given by `seeds`, not in the grid"
        elif path not in tunable:
            errors[f"grid.{path}"] = (
                f"not a tunable field of this lab (tunable: {', '.join(tunable) or 'none'})")
        elif not isinstance(values, list) or not values:
            errors[f"grid.{path}"] = "must be a non-empty list of values"
        elif len({json.dumps(v, sort_keys=True) for v in values}) != len(values):
            errors[f"grid.{path}"] = "each value may appear once"
    if errors:
        raise SweepInvalid(errors)
    return grid


def plan_sweep(*, lab, grid: object, seeds: object, max_runs: int) -> SweepPlan:
    """Every run of the sweep, each config checked by the engine's schema and budget and by
    the lab's bounds; SweepInvalid names the first field and value that fail."""
    grid, seeds = _grid(lab, grid), _seeds(seeds)
    n_runs = len(seeds) * len(list(itertools.product(*grid.values())))
    if n_runs > max_runs:
        sizes = " × ".join(str(len(values)) for values in grid.values())
        raise SweepInvalid({"grid": (
            f"a sweep may hold at most {max_runs} runs; {sizes} values × {len(seeds)} "
            f"seeds make {n_runs}")})
    rules = SimpleNamespace(preset_config=lab.preset_config,
                            tunable={**(lab.tunable or {}), SEED_PATH: {}})
    runs = []
    for values in itertools.product(*grid.values()):
        point = dict(zip(grid, values, strict=True))
        for seed in seeds:
            config = copy.deepcopy(lab.preset_config)
            for path, value in [*point.items(), (SEED_PATH, seed)]:
                _with_value(config, path, value)
            runs.append((point, seed, _checked(config, point, rules)))
    return SweepPlan(grid=grid, seeds=seeds, runs=runs)


def _checked(config: dict, point: dict, rules) -> dict:
    """The normalized config, or SweepInvalid naming the grid value (or preset field) at fault."""
    try:
        normalized = parse_config(config).to_dict()
        problems = check_lab_config(rules, normalized)
    except ConfigError as exc:
        problems = dict(exc.errors)
    if not problems:
        return normalized
    errors: dict[str, str] = {}
    for path, reason in problems.items():
        # "model.hidden[0]" is about the grid field "model.hidden".
        field = next((p for p in point if path == p or path.startswith((f"{p}[", f"{p}."))),
                     None)
        if field is not None:
            errors.setdefault(f"grid.{field}", f"{json.dumps(point[field])}: {reason}")
        else:
            errors[f"config.{path}"] = f"with {point_label(point)}: {reason}"
    raise SweepInvalid(errors)
