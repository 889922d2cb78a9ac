"""What a lab lets a learner change, and checking a submitted config against it.

A lab has a full preset config and a `tunable` spec: dotted config path → bounds. A learner
may submit any config whose every leaf either equals the preset's or is tunable and within
its bounds. Bounds, all optional and combinable:

    {"min": 0.0001, "max": 1}            numbers
    {"choices": [1, 32, "full"]}          any value from a list
    {"max_layers": 4, "max_units": 64}    list-valued paths such as model.hidden
    {}                                    anything the engine accepts
"""

import copy
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from engine import CONFIG_FIELDS, ConfigError, parse_config

_BOUND_KEYS = {"min", "max", "choices", "min_layers", "max_layers", "max_units"}
Leaves = Mapping[str, Any]  # {"optim.lr": 0.01, ...}: JSON values
# Normalized leaves per distinct config (repr → leaves), see _normalized_leaves.
_LEAVES: dict[str, Leaves] = {}
_LEAVES_MAX = 4096


def _leaves(config: dict, prefix: str = "") -> dict[str, Any]:
    """Flatten nested dicts to {"optim.lr": 0.01, "model.hidden": [16, 16], ...}."""
    out: dict[str, Any] = {}
    for key, value in config.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(_leaves(value, f"{path}."))
        else:
            out[path] = value
    return out


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:g}"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same(a: Any, b: Any) -> bool:
    # 1 == True in Python; a config must not treat them as the same value.
    return type(a) is type(b) and a == b or (_is_number(a) and _is_number(b) and a == b)


def _bounds_error(spec: dict, value: Any) -> str | None:
    """Why `value` breaks `spec`, in words for the learner; None when it is allowed."""
    if "choices" in spec and not any(_same(value, c) for c in spec["choices"]):
        allowed = ", ".join(_fmt(c) for c in spec["choices"])
        return f"this lab allows one of {allowed} (got {_fmt(value)})"
    if "min" in spec or "max" in spec:
        lo, hi = spec.get("min"), spec.get("max")
        if not _is_number(value):
            return f"must be a number (got {_fmt(value)})"
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            if lo is not None and hi is not None:
                return f"this lab allows {_fmt(lo)} to {_fmt(hi)} (got {_fmt(value)})"
            if lo is not None:
                return f"this lab allows at least {_fmt(lo)} (got {_fmt(value)})"
            return f"this lab allows at most {_fmt(hi)} (got {_fmt(value)})"
    if {"min_layers", "max_layers", "max_units"} & spec.keys():
        if not isinstance(value, list):
            return f"must be a list of layer sizes (got {_fmt(value)})"
        if "max_layers" in spec and len(value) > spec["max_layers"]:
            return f"this lab allows at most {spec['max_layers']} layers (got {len(value)})"
        if "min_layers" in spec and len(value) < spec["min_layers"]:
            return f"this lab needs at least {spec['min_layers']} layers (got {len(value)})"
        too_wide = [u for u in value if _is_number(u) and u > spec.get("max_units", u)]
        if too_wide:
            return (
                f"this lab allows at most {spec['max_units']} units per layer "
                f"(got {_fmt(max(too_wide))})"
            )
    return None


def check_lab_config(lab, config: dict) -> dict[str, str]:
    """Which leaves of a (normalized) learner config this lab does not allow, and why.

    Every leaf that differs from `lab.preset_config` must be listed in `lab.tunable` and be
    within its bounds. Returns {dotted_path: reason}; an empty dict means the config is allowed.
    """
    # Normalized now, not only when saved: when the engine gains a field with a default, a
    # stored preset lacks it while every submitted (normalized) config has it. And a run
    # stored before the engine gained a field lacks it: read it as the engine would.
    preset = _normalized_leaves(lab.preset_config or {})
    given = _normalized_leaves(config)
    tunable = lab.tunable or {}
    errors: dict[str, str] = {}
    for path in sorted(preset.keys() | given.keys()):
        if path in preset and path in given and _same(preset[path], given[path]):
            continue
        if path not in tunable:
            errors[path] = "this lab does not let you change this"
            continue
        if path not in given:
            errors[path] = "missing"
            continue
        reason = _bounds_error(tunable[path], given[path])
        if reason:
            errors[path] = reason
    return errors


def _normalized_leaves(config: dict) -> Leaves:
    """The leaves of `config` as the engine reads it (as given when the engine refuses it).

    A challenge grades every run of its lab on each page view, each against the same preset,
    and a learner's runs repeat configs: parsing them through the engine's schema was most of
    a lesson page's time, so the leaves are kept per distinct config. The key is its repr
    (exact for JSON values, and half the cost of json.dumps); read-only, since it is shared."""
    key = repr(config)
    leaves = _LEAVES.get(key)
    if leaves is None:
        if len(_LEAVES) >= _LEAVES_MAX:
            _LEAVES.clear()  # rare: a bound on memory, not an eviction policy
        leaves = _LEAVES[key] = MappingProxyType(_leaves_uncached(config))
    return leaves


def _leaves_uncached(config: dict) -> Leaves:
    normalized, problems = normalize_preset(config)
    return _leaves(normalized if not problems else config)


def form_fields(tunable: dict) -> dict[str, dict]:
    """What the lab form needs to draw each tunable field: its human label and one line of
    help, its type, and the engine's own bounds (a lab's bounds, in `tunable`, narrow them).
    Declared once, beside each field, in the engine's CONFIG_FIELDS."""
    fields = {}
    for path in tunable or {}:
        spec = CONFIG_FIELDS.get(path)
        if spec is None:  # a stale lab, refused on submit with the reason
            fields[path] = {"label": path, "help": "", "type": "unknown"}
            continue
        fields[path] = {
            "label": spec.label, "help": spec.help, "type": spec.type,
            "minimum": spec.minimum, "maximum": spec.maximum,
            "exclusive_minimum": spec.exclusive_minimum,
            "also_accepts": spec.also_accepts,
            "item_choices": list(spec.choices) if spec.type == "choice_list" else None,
            "min_items": spec.min_items, "max_items": spec.max_items,
        }
    return fields


def normalize_preset(preset: Any) -> tuple[dict, dict[str, str]]:
    """Validate a preset through the engine's schema: (normalized config, {path: reason})."""
    if not isinstance(preset, dict):
        return {}, {"config": "must be a JSON object"}
    try:
        return parse_config(preset).to_dict(), {}
    except ConfigError as exc:
        return {}, dict(exc.errors)


def _with_value(preset: dict, path: str, value: Any) -> dict:
    config = copy.deepcopy(preset)
    node = config
    *parents, leaf = path.split(".")
    for key in parents:
        node = node[key]
    node[leaf] = value
    return config


def _spec_errors(path: str, spec: Any, preset_value: Any) -> str | None:
    """Shape errors of one bounds spec, or None."""
    if not isinstance(spec, dict):
        return 'bounds must be an object such as {"min": 0, "max": 1} or {} for any value'
    unknown = spec.keys() - _BOUND_KEYS
    if unknown:
        return f"unknown bound {sorted(unknown)[0]!r} (use {', '.join(sorted(_BOUND_KEYS))})"
    for key in ("min", "max"):
        if key in spec and not _is_number(spec[key]):
            return f"{key} must be a number"
    if "min" in spec and "max" in spec and spec["min"] > spec["max"]:
        return "min must not exceed max"
    if "choices" in spec and (not isinstance(spec["choices"], list) or not spec["choices"]):
        return "choices must be a non-empty list"
    for key in ("min_layers", "max_layers", "max_units"):
        if key in spec:
            if not isinstance(spec[key], int) or isinstance(spec[key], bool) or spec[key] < 0:
                return f"{key} must be a whole number ≥ 0"
            if not isinstance(preset_value, list):
                return f"{key} only applies to a list such as model.hidden"
    reason = _bounds_error(spec, preset_value)
    if reason:
        return f"the preset value is outside these bounds: {reason}"
    return None


def validate_tunable(tunable: Any, preset: dict) -> dict[str, str]:
    """Check a tunable spec against a normalized preset: {path: reason}, empty when valid.

    Every path must be a field of the config, bounds must be well formed, the preset itself
    must satisfy them, and every choice and every min/max end must be a value the engine
    accepts (so a lab can never offer a setting that fails on submit).
    """
    if not isinstance(tunable, dict):
        return {"tunable": 'must map config paths to bounds, e.g. {"optim.lr": {"max": 1}}'}
    leaves = _leaves(preset)
    errors: dict[str, str] = {}
    for path, spec in tunable.items():
        if path not in leaves:
            errors[path] = "not a field of the config"
            continue
        reason = _spec_errors(path, spec, leaves[path])
        if reason:
            errors[path] = reason
            continue
        probes = [*spec.get("choices", []), *(spec[k] for k in ("min", "max") if k in spec)]
        for value in probes:
            try:
                parse_config(_with_value(preset, path, value))
            except ConfigError as exc:
                detail = exc.errors.get(path) or next(iter(exc.errors.values()), "invalid")
                errors[path] = f"{_fmt(value)} is not a valid value: {detail}"
                break
    return errors
