"""Training configs: strict parsing of a JSON-like dict into frozen dataclasses.

Every accepted field, with its type, bounds and default, is declared once in CONFIG_FIELDS;
parsing, normalization (`TrainConfig.to_dict`) and the JSON Schema are all derived from it.
"""

import json
from dataclasses import asdict, dataclass
from typing import Literal

from training_worker.engine.catalog import (
    ACTIVATIONS,
    DATASET_AVAILABLE_SAMPLES,
    DATASET_CLASSES,
    MODEL_KINDS,
    OPTIMIZERS,
)

FULL_BATCH = "full"

# Error messages quote the offending value; a pasted megabyte should not come back whole.
MAX_QUOTED_VALUE_CHARS = 40


@dataclass(frozen=True)
class FieldSpec:
    type: Literal["integer", "number", "choice", "integer_list"]
    description: str
    default: object = None  # None marks a required field: no field has None as a legal value
    minimum: float | None = None  # for "integer_list", the bounds apply to each item
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple[str, ...] = ()
    max_items: int | None = None
    also_accepts: str | None = None  # a string literal accepted instead of a number

    @property
    def required(self) -> bool:
        return self.default is None


CONFIG_FIELDS: dict[str, FieldSpec] = {
    "model.kind": FieldSpec("choice", "Architecture family.", choices=MODEL_KINDS),
    "model.hidden": FieldSpec(
        "integer_list",
        "Units of each hidden layer, input to output; [] is a linear model.",
        default=(16, 16), minimum=1, maximum=256, max_items=6,
    ),
    "model.activation": FieldSpec(
        "choice", "Non-linearity after each hidden layer.", default="relu", choices=ACTIVATIONS
    ),
    "data.name": FieldSpec("choice", "Dataset.", choices=tuple(DATASET_CLASSES)),
    "data.n_samples": FieldSpec(
        "integer",
        "Samples in train and validation together; for digits, a stratified random subset "
        "of at most this many of its 1797 images.",
        default=500, minimum=20, maximum=5000,
    ),
    "data.noise": FieldSpec(
        "number",
        "Noise of the generated 2-D sets (standard deviation; in radians for spiral); "
        "ignored for digits.",
        default=0.2, minimum=0, maximum=2,
    ),
    "data.val_fraction": FieldSpec(
        "number",
        "Share of the samples held out for validation; both sides of the split need at "
        "least 2 samples and one per class.",
        default=0.2, minimum=0.05, maximum=0.5,
    ),
    "data.seed": FieldSpec(
        "integer",
        "Seeds the data, the split, the initial weights and the shuffling.",
        default=0, minimum=0, maximum=2**31 - 1,
    ),
    "optim.name": FieldSpec("choice", "Optimizer.", choices=OPTIMIZERS),
    "optim.lr": FieldSpec(
        "number", "Learning rate.", minimum=0, maximum=10, exclusive_minimum=True
    ),
    "optim.batch_size": FieldSpec(
        "integer",
        f'Samples per optimizer step; "{FULL_BATCH}", or any size at least the training '
        "set, means full-batch gradient descent.",
        default=32, minimum=1, maximum=5000, also_accepts=FULL_BATCH,
    ),
    "optim.epochs": FieldSpec("integer", "Passes over the training set.", minimum=1, maximum=200),
    "optim.momentum": FieldSpec(
        "number", 'Momentum coefficient; only used by "momentum".',
        default=0.9, minimum=0, maximum=0.999,
    ),
}


@dataclass(frozen=True)
class ModelConfig:
    kind: str
    hidden: tuple[int, ...]
    activation: str


@dataclass(frozen=True)
class DataConfig:
    name: str
    n_samples: int
    noise: float
    val_fraction: float
    seed: int


@dataclass(frozen=True)
class OptimConfig:
    name: str
    lr: float
    batch_size: int | Literal["full"]
    epochs: int
    momentum: float


SECTIONS = {"model": ModelConfig, "data": DataConfig, "optim": OptimConfig}


@dataclass(frozen=True)
class TrainConfig:
    model: ModelConfig
    data: DataConfig
    optim: OptimConfig

    def to_dict(self) -> dict:
        """The full config with defaults filled in, as plain JSON-compatible values."""
        return {
            section: {
                name: list(value) if isinstance(value, tuple) else value
                for name, value in asdict(getattr(self, section)).items()
            }
            for section in SECTIONS
        }


class ConfigError(Exception):
    """A config was rejected; `errors` maps each offending dotted field path to the reason."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{path}: {reason}" for path, reason in errors.items()))
        self.errors = errors


def split_sizes(data: DataConfig) -> tuple[int, int]:
    """(n_train, n_val) that `load_dataset` will produce for this data config."""
    n_samples = min(data.n_samples, DATASET_AVAILABLE_SAMPLES.get(data.name, data.n_samples))
    n_val = round(n_samples * data.val_fraction)
    return n_samples - n_val, n_val


def parse_config(raw: object) -> TrainConfig:
    """Validate a JSON-like config; raises ConfigError listing every problem at once."""
    if not isinstance(raw, dict):
        raise ConfigError({"config": f"must be an object (got {_show(raw)})"})
    errors: dict[str, str] = {}
    for key in raw:
        if key not in SECTIONS:
            errors[str(key)] = "unknown field"
    sections = {}
    for section, section_type in SECTIONS.items():
        values = _parse_section(section, raw, errors)
        if values is not None:
            sections[section] = section_type(**values)
    if "data" in sections:
        _check_split(sections["data"], errors)
    if errors:
        raise ConfigError(errors)
    return TrainConfig(**sections)


def _parse_section(section: str, raw: dict, errors: dict[str, str]) -> dict | None:
    """The section's normalized values, or None when anything in it is invalid."""
    if section not in raw:
        errors[section] = "required"
        return None
    given = raw[section]
    if not isinstance(given, dict):
        errors[section] = f"must be an object (got {_show(given)})"
        return None
    error_count = len(errors)
    for key in given:
        if f"{section}.{key}" not in CONFIG_FIELDS:
            errors[f"{section}.{key}"] = "unknown field"
    values = {}
    for path, spec in CONFIG_FIELDS.items():
        owner, name = path.split(".")
        if owner != section:
            continue
        if name in given:
            values[name] = _parse_value(path, spec, given[name], errors)
        elif spec.required:
            errors[path] = "required"
        else:
            values[name] = spec.default
    return values if len(errors) == error_count else None


def _parse_value(path: str, spec: FieldSpec, value: object, errors: dict[str, str]) -> object:
    if spec.type == "choice":
        if value in spec.choices:
            return value
        choices = ", ".join(_show(choice) for choice in spec.choices)
        errors[path] = f"must be one of {choices} (got {_show(value)})"
        return None
    if spec.type == "integer_list":
        if not isinstance(value, list):
            errors[path] = f"must be a list of integers (got {_show(value)})"
            return None
        if len(value) > spec.max_items:
            errors[path] = f"must have at most {spec.max_items} items (got {len(value)})"
            return None
        return tuple(
            _parse_number(f"{path}[{index}]", spec, item, errors, integer=True)
            for index, item in enumerate(value)
        )
    if spec.also_accepts is not None and value == spec.also_accepts:
        return value
    return _parse_number(path, spec, value, errors, integer=spec.type == "integer")


def _parse_number(
    path: str, spec: FieldSpec, value: object, errors: dict[str, str], *, integer: bool
) -> int | float | None:
    # JSON has one number type: an integer field accepts 3.0 (as JSON Schema does) but a
    # bool, which Python would happily treat as 0 or 1, is never a number here.
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if not is_number or (integer and isinstance(value, float) and not value.is_integer()):
        expected = "an integer" if integer else "a number"
        if spec.also_accepts is not None:
            expected += f' or "{spec.also_accepts}"'
        errors[path] = f"must be {expected} (got {_show(value)})"
        return None
    # Compared before converting, so a huge integer fails the bound instead of overflowing
    # float(); NaN fails every comparison and is rejected here too.
    above_minimum = value > spec.minimum if spec.exclusive_minimum else value >= spec.minimum
    if not (above_minimum and value <= spec.maximum):
        errors[path] = f"must be {_range_text(spec)} (got {_show(value)})"
        return None
    return int(value) if integer else float(value)


def _check_split(data: DataConfig, errors: dict[str, str]) -> None:
    n_train, n_val = split_sizes(data)
    # Each side needs every class once for the stratified split, and 2 samples for a mean.
    needed = max(2, len(DATASET_CLASSES[data.name]))
    if min(n_train, n_val) < needed:
        errors["data.val_fraction"] = (
            f"splits {n_train + n_val} samples into {n_train} for training and {n_val} for "
            f"validation; each side needs at least {needed} (raise n_samples or val_fraction)"
        )


def _range_text(spec: FieldSpec) -> str:
    if spec.exclusive_minimum:
        return f"greater than {spec.minimum} and at most {spec.maximum}"
    return f"between {spec.minimum} and {spec.maximum}"


def _show(value: object) -> str:
    """A short JSON-style rendering of an offending value, for error messages."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > MAX_QUOTED_VALUE_CHARS:
        text = text[: MAX_QUOTED_VALUE_CHARS - 3] + "..."
    return text
