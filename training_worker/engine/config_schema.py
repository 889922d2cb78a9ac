"""The accepted training config as a JSON Schema (draft 2020-12), for the API docs.

Derived from CONFIG_FIELDS, so the documented bounds cannot drift from the enforced ones.
One rule is not expressible in the schema and only enforced by `parse_config`: the
train/validation split must leave enough samples on both sides (see data.val_fraction).
"""

from training_worker.engine.config import CONFIG_FIELDS, SECTIONS, FieldSpec

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def config_json_schema() -> dict:
    sections = {}
    for section in SECTIONS:
        fields = {
            path.split(".")[1]: _field_schema(spec)
            for path, spec in CONFIG_FIELDS.items()
            if path.split(".")[0] == section
        }
        sections[section] = {
            "type": "object",
            "properties": fields,
            "required": [name for name in fields if CONFIG_FIELDS[f"{section}.{name}"].required],
            "additionalProperties": False,
        }
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": "TrainConfig",
        "type": "object",
        "properties": sections,
        "required": list(SECTIONS),
        "additionalProperties": False,
    }


def _field_schema(spec: FieldSpec) -> dict:
    if spec.type == "choice":
        schema = {"type": "string", "enum": list(spec.choices)}
    elif spec.type == "integer_list":
        schema = {
            "type": "array",
            "items": _number_schema(spec, "integer"),
            "maxItems": spec.max_items,
        }
    elif spec.also_accepts is not None:
        schema = {"anyOf": [_number_schema(spec, spec.type), {"const": spec.also_accepts}]}
    else:
        schema = _number_schema(spec, spec.type)
    schema["description"] = spec.description
    if not spec.required:
        schema["default"] = list(spec.default) if isinstance(spec.default, tuple) else spec.default
    return schema


def _number_schema(spec: FieldSpec, json_type: str) -> dict:
    lower_bound = "exclusiveMinimum" if spec.exclusive_minimum else "minimum"
    return {"type": json_type, lower_bound: spec.minimum, "maximum": spec.maximum}
