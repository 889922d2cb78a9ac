"""What the training loop reports: typed events with JSON-serializable payloads."""

from dataclasses import dataclass

INFO = "info"
METRIC = "metric"
CONFUSION_MATRIX = "confusion_matrix"

# Returned by an `on_event` callback to ask the training loop to stop.
STOP = "stop"


@dataclass(frozen=True)
class Event:
    type: str
    payload: dict  # plain ints, finite floats, strings and lists only: stored as JSON as is
