"""Helpers shared by the engine's tests: build a config in one line, train and record.

The engine tests run with `--noconftest`, so shared helpers live in this module.
"""

import pytest

from engine import METRIC, STOP, parse_config
from engine.training import train


def make_config(kind="mlp", dataset="moons", model=None, data=None, eval=None, **optim):
    raw = {
        "model": {"kind": kind, **(model or {})},
        "data": {"name": dataset, **(data or {})},
        "optim": {"name": "adam", "lr": 0.01, "epochs": 3, **optim},
    }
    if eval is not None:
        raw["eval"] = eval
    return parse_config(raw)


def run(cfg, stop_when=lambda event: False):
    """Train, recording every event; `stop_when(event)` decides when to answer STOP."""
    events = []

    def on_event(event):
        events.append(event)
        return STOP if stop_when(event) else None

    return train(cfg, on_event), events


def of_type(events, event_type):
    return [event.payload for event in events if event.type == event_type]


def epoch_metrics(events):
    return [p for p in of_type(events, METRIC) if p["scope"] == "epoch"]


def assert_same_payload(mine, theirs, where="payload"):
    """Equal up to float rounding: ints, strings and structure exactly; floats to 2e-4 or
    1e-5 of their size (pictures are rounded to 4 decimals, and a last-bit difference can
    flip that rounding; a diverging loss is huge)."""
    if isinstance(theirs, dict):
        assert isinstance(mine, dict) and mine.keys() == theirs.keys(), where
        for key in theirs:
            assert_same_payload(mine[key], theirs[key], f"{where}.{key}")
    elif isinstance(theirs, list):
        assert isinstance(mine, list) and len(mine) == len(theirs), where
        for index, (a, b) in enumerate(zip(mine, theirs, strict=True)):
            assert_same_payload(a, b, f"{where}[{index}]")
    elif isinstance(theirs, float):
        assert mine == pytest.approx(theirs, rel=1e-5, abs=2e-4), where
    else:
        assert type(mine) is type(theirs) and mine == theirs, where
