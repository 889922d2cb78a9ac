"""The training loop: mini-batch gradient descent that reports what it measures as events.

`train` hands every event to `on_event` as soon as it is measured; a callback that
returns STOP ends training right there, which is how a job is cancelled.
"""

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from training_worker.engine.config import FULL_BATCH, TrainConfig
from training_worker.engine.datasets import Dataset, load_dataset
from training_worker.engine.events import CONFUSION_MATRIX, INFO, METRIC, STOP, Event
from training_worker.engine.metrics import accuracy, confusion_matrix
from training_worker.engine.models import build_model, count_parameters
from training_worker.engine.optimizers import build_optimizer

# A batch-size-1 run takes thousands of steps per epoch; a live chart needs far fewer.
MAX_STEP_EVENTS_PER_EPOCH = 25


class TrainingDiverged(Exception):
    """The loss stopped being a finite number, almost always because the lr is too large."""

    def __init__(self, epoch: int, step: int, loss: float) -> None:
        kind = "NaN" if math.isnan(loss) else "infinite"
        super().__init__(
            f"loss became {kind} at epoch {epoch}, step {step} — try a smaller learning rate"
        )
        self.epoch = epoch
        self.step = step


@dataclass
class TrainResult:
    stopped: bool  # the callback asked to stop
    epochs_completed: int
    summary: dict  # as of the last completed epoch; JSON-serializable
    model: nn.Module  # trained, on the cpu, in eval mode


def train(
    config: TrainConfig, on_event: Callable[[Event], str | None], *, device: str = "cpu"
) -> TrainResult:
    """Train a model as configured, calling `on_event` with every measurement.

    Events, in order: one INFO; then per epoch, step METRICs (at most
    MAX_STEP_EVENTS_PER_EPOCH + 1, the last one at the epoch's final step), the epoch
    METRIC and the validation CONFUSION_MATRIX. Raises TrainingDiverged on a non-finite loss.
    """
    torch.manual_seed(config.data.seed)
    data = load_dataset(config.data)
    model = build_model(config.model, data.n_features, data.n_classes).to(device)
    summary = _empty_summary(count_parameters(model))
    stopped = False
    for event in _training_events(config, data, model, device):
        _update_summary(summary, event)
        if on_event(event) == STOP:
            stopped = True
            break
    return TrainResult(
        stopped=stopped,
        epochs_completed=summary["epochs_completed"],
        summary=summary,
        model=model.cpu().eval(),
    )


def effective_batch_size(batch_size: int | str, n_train: int) -> int:
    return n_train if batch_size == FULL_BATCH else min(batch_size, n_train)


def _training_events(
    config: TrainConfig, data: Dataset, model: nn.Module, device: str
) -> Iterator[Event]:
    """Trains `model` in place, yielding each event as soon as it is measured.

    A generator, so that training advances only while the caller keeps asking: once the
    caller stops iterating, no further step runs.
    """
    x_train, y_train = data.x_train.to(device), data.y_train.to(device)
    x_val, y_val = data.x_val.to(device), data.y_val.to(device)
    n_train = len(y_train)
    batch_size = effective_batch_size(config.optim.batch_size, n_train)
    steps_per_epoch = math.ceil(n_train / batch_size)
    log_every = max(1, math.ceil(steps_per_epoch / MAX_STEP_EVENTS_PER_EPOCH))
    optimizer = build_optimizer(config.optim, model.parameters())
    # A generator of its own, so the shuffling order depends on the seed alone and not on
    # how many random numbers the model's initialization happened to draw.
    shuffle_generator = torch.Generator().manual_seed(config.data.seed)

    yield Event(INFO, {
        "n_train": n_train,
        "n_val": len(y_val),
        "n_features": data.n_features,
        "n_classes": data.n_classes,
        "classes": list(data.classes),
        "n_params": count_parameters(model),
        "epochs": config.optim.epochs,
        "steps_per_epoch": steps_per_epoch,
        "batch_size": batch_size,
    })

    step = 0
    for epoch in range(1, config.optim.epochs + 1):
        model.train()
        order = torch.randperm(n_train, generator=shuffle_generator).to(device)
        # Kept as tensors and averaged only when reported: .item() on every step would
        # force a device sync per step.
        unreported_losses: list[torch.Tensor] = []
        for step_in_epoch in range(1, steps_per_epoch + 1):
            batch = order[(step_in_epoch - 1) * batch_size : step_in_epoch * batch_size]
            loss = F.cross_entropy(model(x_train[batch]), y_train[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
            unreported_losses.append(loss.detach())

            if step_in_epoch % log_every == 0 or step_in_epoch == steps_per_epoch:
                train_loss = _mean_loss(unreported_losses, epoch, step)
                unreported_losses = []
                yield Event(METRIC, {
                    "scope": "step", "epoch": epoch, "step": step, "train_loss": train_loss,
                })

        train_loss, train_accuracy, _ = evaluate(model, x_train, y_train)
        val_loss, val_accuracy, val_predictions = evaluate(model, x_val, y_val)
        for measured_loss in (train_loss, val_loss):
            if not math.isfinite(measured_loss):
                raise TrainingDiverged(epoch, step, measured_loss)
        yield Event(METRIC, {
            "scope": "epoch",
            "epoch": epoch,
            "epochs": config.optim.epochs,
            "step": step,
            "train_loss": train_loss,
            "train_accuracy": train_accuracy,
            "val_loss": val_loss,
            "val_accuracy": val_accuracy,
        })
        yield Event(CONFUSION_MATRIX, {
            "epoch": epoch,
            "labels": list(data.classes),
            "matrix": confusion_matrix(y_val, val_predictions, data.n_classes),
        })


@torch.no_grad()
def evaluate(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor
) -> tuple[float, float, torch.Tensor]:
    """(mean cross-entropy loss, accuracy, predicted classes) of the model on (x, y)."""
    model.eval()
    logits = model(x)
    predictions = logits.argmax(dim=1)
    return F.cross_entropy(logits, y).item(), accuracy(y, predictions), predictions


def _mean_loss(losses: list[torch.Tensor], epoch: int, last_step: int) -> float:
    """Mean of the batch losses of the steps up to `last_step`, which must all be finite."""
    stacked = torch.stack(losses)
    finite = torch.isfinite(stacked)
    if not finite.all():
        first_bad = int((~finite).nonzero()[0])
        first_step = last_step - len(losses) + 1
        raise TrainingDiverged(epoch, first_step + first_bad, stacked[first_bad].item())
    return stacked.mean().item()


def _empty_summary(n_params: int) -> dict:
    return {
        "n_params": n_params,
        "epochs_completed": 0,
        "steps": 0,
        "train_loss": None,
        "train_accuracy": None,
        "val_loss": None,
        "val_accuracy": None,
        "best_val_accuracy": None,
        "best_epoch": None,
    }


def _update_summary(summary: dict, event: Event) -> None:
    if event.type != METRIC:
        return
    metrics = event.payload
    summary["steps"] = metrics["step"]
    if metrics["scope"] != "epoch":
        return
    summary["epochs_completed"] = metrics["epoch"]
    for name in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
        summary[name] = metrics[name]
    best = summary["best_val_accuracy"]
    if best is None or metrics["val_accuracy"] > best:
        summary["best_val_accuracy"] = metrics["val_accuracy"]
        summary["best_epoch"] = metrics["epoch"]
