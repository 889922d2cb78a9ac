"""Helpers shared by the engine's tests: build a config in one line, train and record.

The engine tests run with `--noconftest`, so shared helpers live in this module.
"""

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
