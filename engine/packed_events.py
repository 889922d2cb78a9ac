"""What one packed job reports (engine/packed.py): the very events `training.train` emits
for that job alone, in the same order and at the same cadence, measured by the same code
(the job's SupervisedTask over its own model and data, `run_info`, the summary helpers)
and handed to the pack's callback with the job's index.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from engine.config import TrainConfig
from engine.dataset import Dataset
from engine.events import INFO, METRIC, STOP, TEST_METRICS, Event
from engine.snapshots import is_snapshot_epoch
from engine.summary import empty_summary, update_summary
from engine.supervised import SupervisedTask
from engine.training import TrainingDiverged, TrainResult, mean_step_loss

# on_event(job_index, event) -> STOP to end that job's training and reports.
JobEventCallback = Callable[[int, Event], str | None]


@dataclass
class PackedResult:
    """One job's outcome: what `train` would have returned for it, or raised."""

    model: nn.Module  # the job's own model; trained and in eval mode once it is handed over
    data: Dataset  # the job's split
    # The epoch METRIC payloads, as in `train`.
    history: list[dict[str, object]] = field(default_factory=list)
    summary: dict[str, object] | None = None  # `TrainResult.summary` of the events emitted so far
    diverged: TrainingDiverged | None = None  # the error `train` would have raised
    stopped: bool = False  # on_event answered STOP: nothing later was reported

    @property
    def epochs_completed(self) -> int:
        return len(self.history)

    def train_result(self) -> TrainResult:
        """What `train` returns for this job (a diverged job's `train` raised instead)."""
        if self.diverged is not None or self.summary is None:
            raise ValueError("a diverged job has no TrainResult: `train` raised for it")
        return TrainResult(stopped=self.stopped, epochs_completed=self.epochs_completed,
                           summary=self.summary, model=self.model.cpu().eval(),
                           normalization=self.data.normalization)


class PackedJob:
    """One job of a pack: its task, its result so far, and whether it still reports."""

    def __init__(self, index: int, config: TrainConfig, data: Dataset, model: nn.Module,
                 on_event: JobEventCallback) -> None:
        self.index = index
        self.epochs = config.optim.epochs
        self.on_event = on_event
        self.task = SupervisedTask(config, data, model, "cpu")
        self.result = PackedResult(model=model, data=data)
        self.handed_over = False  # the pack called on_end for it

    @property
    def reporting(self) -> bool:
        return not (self.result.stopped or self.result.diverged)

    def emit(self, events: list[Event]) -> None:
        """Report `events` in order, as `train` does: the summary first, then the callback;
        a STOP ends the job's reports there."""
        for event in events:
            if not self.reporting:
                return
            if self.result.summary is None:
                self.result.summary = empty_summary(event.payload["n_params"])
            update_summary(self.result.summary, event)
            if event.type == METRIC and event.payload["scope"] == "epoch":
                self.result.history.append(event.payload)
            if self.on_event(self.index, event) == STOP:
                self.result.stopped = True

    def start(self, info: dict[str, object]) -> None:
        self.emit([Event(INFO, info), *self.task.start_events()])

    def step_point(self, losses: torch.Tensor, epoch: int, step: int) -> None:
        """The step METRIC of the batch losses (1-D) since the previous one, as `train`'s."""
        try:
            train_loss = mean_step_loss(losses, epoch, step)
        except TrainingDiverged as diverged:
            self.result.diverged = diverged
            return
        self.emit([Event(METRIC, {
            "scope": "step", "epoch": epoch, "step": step, "train_loss": train_loss,
        })])

    def end_epoch(self, epoch: int, step: int, lr: float,
                  logits: tuple[torch.Tensor, torch.Tensor],
                  grid_logits: torch.Tensor | None) -> None:
        """Report the epoch's METRIC, the per-epoch events and, on snapshot epochs, the
        pictures, measured from the job's outputs: `logits` on its training and validation
        sets, `grid_logits` at its decision boundary's grid points (None: no such picture)."""
        metrics = self.task.evaluate(logits)
        for name in ("train_loss", "val_loss"):
            if not math.isfinite(metrics[name]):
                self.result.diverged = TrainingDiverged(epoch, step, metrics[name])
                return
        self.emit([Event(METRIC, {
            "scope": "epoch", "epoch": epoch, "epochs": self.epochs, "step": step,
            **metrics, "lr": lr,
        })])
        if self.reporting:
            self.emit(self.task.epoch_events(epoch))
        if self.reporting and is_snapshot_epoch(epoch, self.epochs):
            self.emit(self.task.snapshot_events(epoch, grid_logits))

    def finish(self, epoch: int) -> None:
        """What `train` reports once the last epoch is trained."""
        if self.reporting:
            self.emit(self.task.end_events(epoch))
        if self.reporting and self.result.data.x_test is not None:
            self.emit([Event(TEST_METRICS, self.task.test_metrics())])
