"""Checking one JSON value against its FieldSpec: types, bounds, choices and lists.

Each check either returns the normalized value or records why it failed under the
value's dotted path (list items as "model.hidden[2]").
"""

from __future__ import annotations

import json

from engine.config import FieldSpec

# Error messages quote the offending value; a pasted megabyte should not come back whole.
MAX_QUOTED_VALUE_CHARS = 40


def parse_value(path: str, spec: FieldSpec, value: object, errors: dict[str, str]) -> object:
    if spec.type == "choice":
        return _parse_choice(path, spec, value, errors)
    if spec.type == "boolean":
        if isinstance(value, bool):
            return value
        errors[path] = f"must be true or false (got {show(value)})"
        return None
    if spec.type in ("integer_list", "choice_list"):
        item_kind = "integers" if spec.type == "integer_list" else "names"
        if not isinstance(value, list):
            errors[path] = f"must be a list of {item_kind} (got {show(value)})"
            return None
        if len(value) > spec.max_items:
            errors[path] = f"must have at most {spec.max_items} items (got {len(value)})"
            return None
        if len(value) < spec.min_items:
            errors[path] = f"must have at least {spec.min_items} items (got {len(value)})"
            return None
        if spec.type == "choice_list":
            return tuple(
                _parse_choice(f"{path}[{index}]", spec, item, errors)
                for index, item in enumerate(value)
            )
        return tuple(
            _parse_number(f"{path}[{index}]", spec, item, errors, integer=True)
            for index, item in enumerate(value)
        )
    if _is_literal(value, spec.also_accepts):
        return spec.also_accepts
    return _parse_number(path, spec, value, errors, integer=spec.type == "integer")


def _parse_choice(path: str, spec: FieldSpec, value: object, errors: dict[str, str]) -> object:
    for choice in spec.choices:
        if _is_literal(value, choice):
            return choice
    choices = ", ".join(show(choice) for choice in spec.choices)
    errors[path] = f"must be one of {choices} (got {show(value)})"
    return None


def _is_literal(value: object, literal: object) -> bool:
    """Whether `value` is `literal` in JSON terms: 5.0 is 5, but true is never 1."""
    if literal is None or isinstance(value, bool):
        return False
    if isinstance(literal, str):
        return value == literal
    return isinstance(value, int | float) and value == literal


def _parse_number(
    path: str, spec: FieldSpec, value: object, errors: dict[str, str], *, integer: bool
) -> int | float | None:
    # JSON has one number type: an integer field accepts 3.0 (as JSON Schema does) but a
    # bool, which Python would happily treat as 0 or 1, is never a number here.
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if not is_number or (integer and isinstance(value, float) and not value.is_integer()):
        expected = "an integer" if integer else "a number"
        if isinstance(spec.also_accepts, str):
            expected += f' or "{spec.also_accepts}"'
        errors[path] = f"must be {expected} (got {show(value)})"
        return None
    # Compared before converting, so a huge integer fails the bound instead of overflowing
    # float(); NaN fails every comparison and is rejected here too.
    above_minimum = value > spec.minimum if spec.exclusive_minimum else value >= spec.minimum
    if not (above_minimum and value <= spec.maximum):
        errors[path] = f"must be {_range_text(spec)} (got {show(value)})"
        return None
    return int(value) if integer else float(value)


def _range_text(spec: FieldSpec) -> str:
    if spec.exclusive_minimum:
        text = f"greater than {spec.minimum} and at most {spec.maximum}"
    else:
        text = f"between {spec.minimum} and {spec.maximum}"
    if spec.also_accepts is not None and not isinstance(spec.also_accepts, str):
        text = f"{spec.also_accepts} or {text}"
    return text


def show(value: object) -> str:
    """A short JSON-style rendering of an offending value, for error messages."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > MAX_QUOTED_VALUE_CHARS:
        text = text[: MAX_QUOTED_VALUE_CHARS - 3] + "..."
    return text
