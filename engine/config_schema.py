"""The accepted training config as a JSON Schema (draft 2020-12), for the API docs.

Derived from CONFIG_FIELDS, so the documented bounds cannot drift from the enforced ones.
The model section lists the fields of every kind; one `if kind … then` clause per kind
forbids the fields of the other kinds and gives the kind's own defaults.

Rules between fields (see config_rules) are only enforced by `parse_config`; the schema's
description lists them: the split must leave enough samples on every side, each kind
trains on its own datasets, model.activations has one item per hidden layer, and a run
must fit the parameter and time budget.
"""

from engine import budget
from engine.catalog import KIND_DATASETS, MODEL_KINDS
from engine.config import (
    SECTIONS,
    FieldSpec,
    section_fields,
    section_is_required,
)

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def config_json_schema() -> dict:
    sections = {}
    for section in SECTIONS:
        fields = section_fields(section)
        sections[section] = {
            "type": "object",
            "properties": {name: _field_schema(spec) for name, spec in fields.items()},
            "required": [name for name, spec in fields.items() if spec.required],
            "additionalProperties": False,
        }
    sections["model"]["allOf"] = [_kind_clause(kind) for kind in MODEL_KINDS]
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": "TrainConfig",
        "description": _rules_text(),
        "type": "object",
        "properties": sections,
        "required": [section for section in SECTIONS if section_is_required(section)],
        "additionalProperties": False,
    }


def _kind_clause(kind: str) -> dict:
    then: dict[str, object] = {}
    for name, spec in section_fields("model").items():
        if not spec.has_kind(kind):
            then[name] = False
        elif spec.default_for(kind) != spec.default:
            then[name] = {"default": _json_value(spec.default_for(kind))}
    return {
        "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
        "then": {"properties": then},
    }


def _field_schema(spec: FieldSpec) -> dict:
    if spec.type == "choice":
        schema = _choice_schema(spec)
    elif spec.type == "boolean":
        schema = {"type": "boolean"}
    elif spec.type in ("integer_list", "choice_list"):
        items = _choice_schema(spec) if spec.type == "choice_list" else _number_schema(spec)
        schema = {"type": "array", "items": items, "maxItems": spec.max_items}
        if spec.min_items:
            schema["minItems"] = spec.min_items
    elif spec.also_accepts is not None:
        schema = {"anyOf": [_number_schema(spec), {"const": spec.also_accepts}]}
    else:
        schema = _number_schema(spec)
    schema["title"] = spec.label
    schema["description"] = spec.description
    if spec.kinds:
        schema["description"] += " Kinds: " + ", ".join(spec.kinds) + "."
    if not spec.required:
        schema["default"] = _json_value(spec.default)
    return schema


def _choice_schema(spec: FieldSpec) -> dict:
    json_type = "string" if all(isinstance(c, str) for c in spec.choices) else "integer"
    return {"type": json_type, "enum": list(spec.choices)}


def _number_schema(spec: FieldSpec) -> dict:
    json_type = "number" if spec.type == "number" else "integer"
    lower_bound = "exclusiveMinimum" if spec.exclusive_minimum else "minimum"
    return {"type": json_type, lower_bound: spec.minimum, "maximum": spec.maximum}


def _json_value(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value



def _rules_text() -> str:
    datasets = "; ".join(f"{kind}: {', '.join(names)}" for kind, names in KIND_DATASETS.items())
    return (
        "A training run. Also enforced when submitted, beyond this schema: each model kind "
        f"trains on its own datasets ({datasets}); model.activations has one item per hidden "
        "layer; the split leaves every class on each side; cross-validation and test sets "
        "are for the mlp and cnn classifiers; and a run must fit the budget: at most "
        f"{budget.MAX_PARAMETERS:,} parameters, an estimated {budget.MAX_ESTIMATED_SECONDS} s "
        f"in all, {budget.MAX_STEP_SECONDS:g} s per optimizer step and "
        f"{budget.MAX_EVALUATION_SECONDS:g} s per epoch's measurement on the workers' CPU. "
        "With a base model (transfer.base_job or transfer.base_name), the model section may "
        "be left out (the base's is used); given, it must have the base's layers."
    )
