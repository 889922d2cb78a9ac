"""A lab's predict-then-run questions in a lesson file (see content/README.md), validated.

    predictions:
      - kind: choice                      # or numeric (default: choice)
        prompt: With dropout 0.5, how does the validation accuracy compare ...?
        run: {model.dropout: 0.5}         # changes to the lab's preset (tunable, in bounds)
        outcome: val_accuracy             # the number of the run's summary that settles it
        choices:                          # choice: each a range of that number
          - {text: Clearly lower, below: 0.845}
          - {text: About the same, at_least: 0.845, below: 0.885}
          - {text: Clearly higher, at_least: 0.885}
        tolerance: 0.05                   # numeric: how close an estimate must be
        explanation: Shown beside the outcome once the run has finished.
"""

from types import SimpleNamespace

from lessons.content_fields import Problems, check_keys, text_field
from lessons.prediction_rules import (
    PredictionKind,
    is_finite_number,
    range_error,
    ranges_error,
    validate_question,
)

PREDICTION_KEYS = {"kind", "prompt", "run", "outcome", "choices", "tolerance", "explanation"}
RANGE_KEYS = {"text", "at_least", "below"}
_NAMES = {"run_changes": "run", "kind": "kind", "outcome": "outcome", "tolerance": "tolerance"}


def read_predictions(problems: Problems, rel: str, where: str, data: object,
                     lab: dict) -> list[dict]:
    """The `predictions:` list of a lab, as rows for the loader; problems are added."""
    if not isinstance(data, list):
        problems.add(rel, where, "must be a list of questions")
        return []
    specs = []
    for i, item in enumerate(data):
        qwhere = f"{where}[{i}]"
        if not isinstance(item, dict):
            problems.add(rel, qwhere, "must be a mapping with prompt, outcome and choices")
            continue
        check_keys(problems, rel, f"{qwhere}.", item, PREDICTION_KEYS)
        spec = {
            "order": i + 1,
            "kind": item.get("kind", PredictionKind.CHOICE.value),
            "prompt": text_field(problems, rel, f"{qwhere}.", item, "prompt"),
            "run_changes": item.get("run") or {},
            "outcome": item.get("outcome"),
            "tolerance": item.get("tolerance", 0),
            "explanation": text_field(problems, rel, f"{qwhere}.", item, "explanation"),
            "choices": [],
        }
        rules = SimpleNamespace(preset_config=lab["preset_config"], tunable=lab["tunable"])
        found = validate_question(kind=spec["kind"], run_changes=spec["run_changes"],
                                  outcome=spec["outcome"], tolerance=spec["tolerance"],
                                  lab=rules if lab["preset_config"] else None)
        for key, reason in found.items():
            problems.add(rel, f"{qwhere}.{_NAMES[key]}", reason)
        if "tolerance" not in found:
            spec["tolerance"] = float(spec["tolerance"])
        if spec["kind"] == PredictionKind.NUMERIC:
            if item.get("choices"):
                problems.add(rel, f"{qwhere}.choices", "an estimate question has no choices")
        elif spec["kind"] == PredictionKind.CHOICE:
            if "tolerance" in item:
                problems.add(rel, f"{qwhere}.tolerance", "only estimate questions have one")
            spec["choices"] = _read_ranges(problems, rel, f"{qwhere}.choices", item.get("choices"))
        specs.append(spec)
    return specs


def _read_ranges(problems: Problems, rel: str, where: str, choices: object) -> list[dict]:
    if not isinstance(choices, list):
        problems.add(rel, where, "needs a list of at least 2 choices, each a range")
        return []
    rows = []
    spans: list[tuple[float | None, float | None]] = []
    for j, choice in enumerate(choices):
        cwhere = f"{where}[{j}]"
        if not isinstance(choice, dict):
            problems.add(rel, cwhere, "must be a mapping with text, at_least and/or below")
            continue
        check_keys(problems, rel, f"{cwhere}.", choice, RANGE_KEYS)
        text = text_field(problems, rel, f"{cwhere}.", choice, "text")
        low, high = choice.get("at_least"), choice.get("below")
        reason = range_error(low, high)
        if reason:
            problems.add(rel, cwhere, reason)
            continue
        span = (_float_or_none(low), _float_or_none(high))
        spans.append(span)
        rows.append({"order": j + 1, "text": text, "low": span[0], "high": span[1]})
    if len(rows) == len(choices):
        reason = ranges_error(spans)
        if reason:
            problems.add(rel, where, reason)
    return rows


def _float_or_none(end: object) -> float | None:
    """A range's end as stored: a number as a float, no end as None."""
    return float(end) if is_finite_number(end) else None
