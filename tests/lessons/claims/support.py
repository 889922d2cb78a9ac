"""What the claims tests share: the shipped labs' presets, and their runs trained once per test
process whatever test file asks first.

The training results quoted in the shipped lessons ("in our run with seed 0 …") still hold:
each module's `test_claims_<module>.py` starts from a lab's preset as shipped, changes what
the lesson text says it changed, trains with the real engine and compares with the number
printed in the lesson, within a tolerance chosen for that number (relative where the quantity
is small). If the engine changes enough to move a result, the test fails and the lesson text
needs a new measurement.
"""

import copy
from pathlib import Path

import pytest
import torch
from django.conf import settings

from engine import parse_config
from engine.catalog import STANDARD_BASES
from engine.training import train
from engine.transfer import BaseModel
from lessons.content import read_content

CONTENT = Path(settings.BASE_DIR) / "content"


def shipped_presets() -> dict[str, dict]:
    return {
        lab["slug"]: lab["preset_config"]
        for course in read_content(CONTENT)
        for lesson in course.lessons
        for lab in lesson.data["labs"]
    }


PRESETS = shipped_presets()


_cache: dict[str, tuple[dict, list, torch.nn.Module]] = {}
_bases: dict[str, tuple[BaseModel, dict]] = {}


def standard_base(name: str) -> BaseModel:
    """A standard base trained here as `manage.py build_base_models` trains it on a server."""
    if name not in _bases:
        config = parse_config(STANDARD_BASES[name]["config"])
        result = train(config, lambda event: None)
        _bases[name] = (BaseModel(config, result.model.state_dict(), name), result.summary)
    return _bases[name][0]


def trained(lab_slug: str, changes: dict) -> tuple[dict, list, torch.nn.Module]:
    """(summary, events, model) of the lab's preset with `changes`, trained once per session."""
    config = copy.deepcopy(PRESETS[lab_slug])
    for path, value in changes.items():
        section, name = path.split(".")
        config[section][name] = value
    key = repr(config)
    if key not in _cache:
        events: list = []
        parsed = parse_config(config)
        base = standard_base(parsed.transfer.base_name) if parsed.transfer.enabled else None
        result = train(parsed, events.append, base=base)
        _cache[key] = (result.summary, events, result.model)
    return _cache[key]


def run_for(lab_slug: str, changes: dict) -> tuple[dict, list]:
    """(summary, events) of the lab's preset with `changes`, trained once per test session."""
    summary, events, _ = trained(lab_slug, changes)
    return summary, events


def summary_for(lab_slug: str, changes: dict) -> dict:
    return run_for(lab_slug, changes)[0]


def epoch_metrics(lab_slug: str, changes: dict | None = None) -> list[dict]:
    _, events = run_for(lab_slug, changes or {})
    return [e.payload for e in events if e.type == "metric" and e.payload["scope"] == "epoch"]


def last_event(lab_slug: str, event_type: str, changes: dict | None = None) -> dict:
    _, events = run_for(lab_slug, changes or {})
    return [e.payload for e in events if e.type == event_type][-1]


def assert_quoted(lab_slug: str, changes: dict, field: str, quoted: float,
                  tolerance: float) -> None:
    """The run's summary `field` is the lesson's `quoted` value within `tolerance` (absolute;
    give small quantities a tolerance in proportion to them)."""
    measured = summary_for(lab_slug, changes)[field]
    assert measured == pytest.approx(quoted, abs=tolerance), (lab_slug, changes, field)
