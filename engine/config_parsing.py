"""`parse_config`: a JSON-like dict checked field by field against CONFIG_FIELDS, then by the
rules between fields, into a frozen TrainConfig.

Apart from `config` (the declarations and dataclasses) because it needs both `config_values`
(one value against its FieldSpec) and `config_rules` (which read the dataclasses): with
parsing in `config`, those three imported each other.
"""

from typing import Any

from engine.catalog import MODEL_KINDS
from engine.config import (
    CONFIG_FIELDS,
    MODEL_CONFIGS,
    SECTIONS,
    ConfigError,
    TrainConfig,
    section_fields,
    section_is_required,
)
from engine.config_rules import check_rules
from engine.config_values import parse_value, show


def parse_config(raw: object) -> TrainConfig:
    """Validate a JSON-like config; raises ConfigError listing every problem at once."""
    if not isinstance(raw, dict):
        raise ConfigError({"config": f"must be an object (got {show(raw)})"})
    errors: dict[str, str] = {}
    for key in raw:
        if key not in SECTIONS:
            errors[str(key)] = "unknown field"
    kind = _model_kind(raw)
    # Each section parses into a dataclass of its own: TrainConfig's fields check them.
    sections: dict[str, Any] = {}
    for section, section_type in SECTIONS.items():
        values = _parse_section(section, raw, kind, errors)
        if values is None:
            continue
        dataclass_type: type | None = section_type
        if dataclass_type is None:  # the model section, which parses only with a valid kind
            assert kind is not None
            dataclass_type = MODEL_CONFIGS[kind]
        sections[section] = dataclass_type(**values)
    # Rules between fields run on every section that parsed, so all errors show at once.
    errors.update(check_rules(sections))
    if errors:
        raise ConfigError(errors)
    return TrainConfig(**sections)


def _model_kind(raw: dict[str, object]) -> str | None:
    """The model kind, when it is a valid one: it decides which model fields exist."""
    model = raw.get("model")
    kind = model.get("kind") if isinstance(model, dict) else None
    return kind if isinstance(kind, str) and kind in MODEL_KINDS else None


def _parse_section(
    section: str, raw: dict[str, object], kind: str | None, errors: dict[str, str]
) -> dict[str, object] | None:
    """The section's normalized values, or None when anything in it is invalid."""
    if section not in raw:
        if section_is_required(section):
            errors[section] = "required"
            return None
        given: object = {}
    else:
        given = raw[section]
    if not isinstance(given, dict):
        errors[section] = f"must be an object (got {show(given)})"
        return None
    error_count = len(errors)
    for key in given:
        spec = CONFIG_FIELDS.get(f"{section}.{key}")
        if spec is None:
            errors[f"{section}.{key}"] = "unknown field"
        elif kind is not None and not spec.has_kind(kind):
            owners = ", ".join(f'"{owner}"' for owner in spec.kinds)
            errors[f"{section}.{key}"] = (
                f'unknown field for model.kind "{kind}" (it belongs to {owners})'
            )
    values: dict[str, object] = {}
    # With an invalid kind, every model field is checked so that all errors show at once.
    for name, spec in section_fields(section, kind).items():
        path = f"{section}.{name}"
        if name in given:
            values[name] = parse_value(path, spec, given[name], errors)
        elif spec.required:
            errors[path] = "required"
        else:
            values[name] = spec.default_for(kind)
    return values if len(errors) == error_count else None
