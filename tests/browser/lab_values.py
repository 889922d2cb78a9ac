"""Another valid value for each tunable field of a lab, chosen to keep the run short.

The every-lab browser test trains each lab a second time with every tunable field changed.
Each value stays within the lab's bounds and the engine's, differs from the preset, and,
where the field drives the cost of a run, makes the run cheaper (fewer epochs, smaller
layers, fewer samples, bigger batches), so the second pass costs less than the first.
"""

from engine.config import CONFIG_FIELDS

# Fields where a bigger value makes a run cheaper; for the other cost-driving fields
# (epochs, sizes, samples, folds, window) smaller is cheaper.
BIGGER_IS_CHEAPER = {"optim.batch_size"}
# Fields where a value's size says nothing about cost: any other value will do.
COST_NEUTRAL = {"data.seed", "optim.lr", "data.noise", "model.denoise_noise", "optim.momentum",
                "optim.weight_decay", "data.group_b_share", "data.label_bias", "model.dropout",
                "data.base_rate_b",
                "optim.gamma", "transfer.freeze"}
FEW_EPOCHS = 3


def _rank(path: str, value) -> float:
    """Lower ranks first: the cheaper value."""
    if isinstance(value, str):  # "full" batch, "all" samples or layers
        number = float("inf")
    elif isinstance(value, bool):
        number = float(value)
    else:
        number = float(value)
    return -number if path in BIGGER_IS_CHEAPER else number


def other_value(path: str, bounds: dict, preset):
    """A valid value for `path` other than `preset`, as cheap to train as the bounds allow."""
    spec = CONFIG_FIELDS[path]
    if spec.type == "boolean":
        return not preset
    if "choices" in bounds:
        others = [c for c in bounds["choices"] if c != preset or type(c) is not type(preset)]
        if path in COST_NEUTRAL:
            return others[0]
        return min(others, key=lambda c: _rank(path, c))  # the first of equals: names
    if spec.type == "integer_list":
        return _smaller_list(bounds, spec, list(preset))
    lo = bounds.get("min", spec.minimum)
    hi = bounds.get("max", spec.maximum)
    if spec.type == "integer":
        if path == "optim.epochs":
            candidate = max(lo, FEW_EPOCHS if preset != FEW_EPOCHS else FEW_EPOCHS - 1)
        elif path in COST_NEUTRAL:
            candidate = preset + 1 if hi is None or preset + 1 <= hi else preset - 1
        else:
            candidate = preset - 1 if preset - 1 >= lo else preset + 1
        assert lo <= candidate <= hi and candidate != preset, (path, candidate)
        return candidate
    # A number: halfway towards the lower bound (towards the upper one from the bottom).
    target = lo if preset > lo else hi
    candidate = round(preset + (target - preset) / 2, 6)
    if spec.exclusive_minimum and candidate <= spec.minimum:
        candidate = preset * 1.5
    assert candidate != preset, path
    return candidate


def _smaller_list(bounds: dict, spec, preset: list) -> list:
    """Halve every size (at least 1); an empty list (a linear model) gets one small layer."""
    if not preset:
        return [4]
    halved = [max(1, size // 2) for size in preset]
    if halved == preset:  # all ones already: one layer fewer, or one more
        least = max(bounds.get("min_layers", 0), spec.min_items)
        return preset[:-1] if len(preset) > least else [*preset, 1]
    return halved


def as_text(value) -> str:
    """What a learner types for `value` in the lab form."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
