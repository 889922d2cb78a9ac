"""Training progress in a terminal: one redrawn line with a bar, or one line per epoch.

On a terminal the bar line is redrawn in place (carriage return, clear to end of line),
moving with each step inside an epoch. When stdout is a pipe or a file, redrawing would
leave control characters in logs, so each epoch prints one plain line instead. Every write
is flushed, so a process reading the pipe sees each epoch as it happens.
"""

from __future__ import annotations

import shutil
import sys
from typing import TextIO

TERMINAL_STATUSES = frozenset({"succeeded", "failed", "cancelled"})
BAR_WIDTH = 24
# (payload key, label) in the order they are shown; absent keys (no accuracy for a
# regression or a GAN) are left out.
SHOWN_METRICS = (
    ("train_loss", "train loss"), ("train_accuracy", "train acc"),
    ("val_loss", "val loss"), ("val_accuracy", "val acc"),
)
_CLEAR_LINE = "\r\x1b[K"


def _number(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def metrics_text(payload: dict) -> str:
    parts = [f"{label} {_number(payload[key])}" for key, label in SHOWN_METRICS if key in payload]
    return "  ".join(parts)


def compact_metrics(payload: dict) -> str:
    """The bar line's shorter form, so it fits an 80-column terminal with the bar."""
    parts = []
    for side in ("train", "val"):
        loss, acc = payload.get(f"{side}_loss"), payload.get(f"{side}_accuracy")
        words = ([f"loss {_number(loss)}"] if loss is not None else []) + (
            [f"acc {acc:.3f}"] if isinstance(acc, int | float) else [])
        if words:
            parts.append(f"{side} " + " ".join(words))
    return "  ".join(parts)


def result_text(result: dict) -> str:
    """The run's numeric summary values, as `name value` pairs."""
    numbers = [(key, value) for key, value in result.items()
               if isinstance(value, int | float) and not isinstance(value, bool)]
    return ", ".join(f"{key} {_number(value)}" for key, value in numbers[:6])


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "[" + "#" * filled + "." * (width - filled) + "]"


class Progress:
    """Turns a job's events into terminal output; `handle` each event, `close` at the end."""

    def __init__(self, out: TextIO | None = None, *, tty: bool | None = None,
                 job_id: int | None = None) -> None:
        self.out = out if out is not None else sys.stdout
        self.tty = self.out.isatty() if tty is None else tty
        self.job_id = job_id
        self.epochs: int | None = None
        self.steps_per_epoch: int | None = None
        self.epoch = 0  # the epoch of the newest metric: finished, or under way (steps)
        self.done = 0.0  # epochs done, with the finished part of the current one
        self.fold: int | None = None
        self.latest: dict = {}
        self.final: dict | None = None
        self._bar_shown = False

    # -- events ----------------------------------------------------------------------------

    def handle(self, event_type: str, payload: dict) -> None:
        if not isinstance(payload, dict):
            return
        if event_type == "info":
            self.epochs = payload.get("epochs", self.epochs)
            self.steps_per_epoch = payload.get("steps_per_epoch", self.steps_per_epoch)
        elif event_type == "metric":
            self._metric(payload)
        elif event_type == "status":
            self._status(payload)
        elif event_type == "early_stop":
            # Runs stored before the rename call the lowest-loss epoch `best_epoch`.
            lowest = payload.get("best_val_loss_epoch", payload.get("best_epoch"))
            self.message(f"early stop at epoch {payload.get('epoch')} "
                         f"(lowest validation loss at epoch {lowest})")
        elif event_type == "weights_restored":
            self.message(f"restored the weights of epoch {payload.get('weights_epoch')} "
                         "(lowest validation loss); final metrics are that epoch's")

    def _metric(self, payload: dict) -> None:
        self.fold = payload.get("fold", self.fold)
        if payload.get("scope") == "epoch":
            self.epoch = payload.get("epoch", self.epoch)
            self.epochs = payload.get("epochs", self.epochs)
            self.done = float(self.epoch)
            self.latest = payload
            if self.tty:
                self._draw()
            else:
                self._write(self.epoch_line() + "\n")
        elif self.tty and self.steps_per_epoch:
            step, epoch = payload.get("step"), payload.get("epoch")
            if isinstance(step, int) and isinstance(epoch, int):
                # `step` counts from the start of the run; the bar wants it within the epoch.
                self.epoch = epoch
                self.done = epoch - 1 + ((step - 1) % self.steps_per_epoch + 1) / \
                    self.steps_per_epoch
            self._draw()

    def _status(self, payload: dict) -> None:
        status = payload.get("status", "?")
        who = f"job {self.job_id}" if self.job_id is not None else "job"
        if status in TERMINAL_STATUSES:
            self.final = payload
            line = f"{who} {status}"
            if status == "succeeded" and isinstance(payload.get("result"), dict):
                summary = result_text(payload["result"])
                line += f": {summary}" if summary else ""
            elif payload.get("error"):
                line += f": {payload['error']}"
            self.message(line)
        elif payload.get("restarted"):
            self.message(f"{who} restarted (attempt {payload.get('attempt')}); "
                         "its curves start again")
        else:
            self.message(f"{who} {status}")

    # -- output ----------------------------------------------------------------------------

    def epoch_line(self) -> str:
        total = f"/{self.epochs}" if self.epochs else ""
        fold = f"fold {self.fold}  " if self.fold is not None else ""
        text = metrics_text(self.latest)
        return f"{fold}epoch {self.epoch}{total}" + (f"  {text}" if text else "")

    def bar_line(self) -> str:
        fraction = self.done / self.epochs if self.epochs else 0.0
        total = f"/{self.epochs}" if self.epochs else ""
        fold = f"fold {self.fold} " if self.fold is not None else ""
        line = f"{fold}epoch {self.epoch}{total} {bar(fraction)} {fraction:4.0%}"
        text = compact_metrics(self.latest)
        return line + (f"  {text}" if text else "")

    def _draw(self) -> None:
        width = shutil.get_terminal_size((100, 24)).columns
        self._write(_CLEAR_LINE + self.bar_line()[: max(width - 1, 10)])
        self._bar_shown = True

    def message(self, text: str) -> None:
        """A line of its own; on a terminal the bar is cleared first and redrawn after."""
        if self.tty and self._bar_shown and self.final is not None:
            self._write("\n" + text + "\n")  # the bar's last state stays on screen
            self._bar_shown = False
        elif self.tty and self._bar_shown:
            self._write(_CLEAR_LINE + text + "\n")
            self._draw()
        else:
            self._write(text + "\n")

    def close(self) -> None:
        """Leave the cursor on a fresh line, keeping the bar's last state visible."""
        if self.tty and self._bar_shown:
            self._write("\n")
            self._bar_shown = False

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()
