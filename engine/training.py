"""The training loop: mini-batch gradient descent that reports what it measures as events.

`train` hands every event to `on_event` as soon as it is measured; a callback that
returns STOP ends training right there, which is how a job is cancelled. One loop serves
every kind of model: a task object (supervised, generative) supplies what differs, namely
the loss of one step, the epoch's measurements and the pictures.
"""

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch
from torch import nn

from engine.config import FULL_BATCH, TrainConfig
from engine.dataset import Dataset, Normalization
from engine.datasets import load_dataset, load_folds
from engine.events import (
    CV_SUMMARY,
    EARLY_STOP,
    GRADIENT_NORMS,
    INFO,
    METRIC,
    STOP,
    TEST_METRICS,
    WEIGHTS_RESTORED,
    Event,
)
from engine.generative import AutoencoderTask, GanTask
from engine.models import build_model, count_parameters, weight_layers
from engine.optimizers import learning_rate, set_learning_rate
from engine.snapshots import is_snapshot_epoch
from engine.summary import cv_summary, empty_summary, update_summary
from engine.supervised import SupervisedTask
from engine.transfer import BaseModel, keep_frozen_in_eval, start_from_base
from engine.variational import VaeTask

# A batch-size-1 run takes thousands of steps per epoch; a live chart needs far fewer.
MAX_STEP_EVENTS_PER_EPOCH = 25

# Intra-op threads a run uses by default. The models are small: on the workers' two busy
# cores, two threads spent most of their time waiting for each other (a 16-unit MLP ran
# 5 to 16 times slower than on one thread), and budget.py's cost model assumes one.
TRAINING_THREADS = 1

TASKS = {
    "mlp": SupervisedTask,
    "cnn": SupervisedTask,
    "rnn": SupervisedTask,
    "autoencoder": AutoencoderTask,
    "gan": GanTask,
    "vae": VaeTask,
    "transformer": SupervisedTask,
}


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
    stopped: bool  # the callback asked to stop (early stopping is not stopping: it completed)
    epochs_completed: int
    summary: dict  # as of the last completed epoch; JSON-serializable
    model: nn.Module  # trained, on the cpu, in eval mode
    # What the data's loader did to raw inputs for this model (with cross-validation, the
    # chosen fold's): stored with the model, so serving it needs no second draw of the data.
    normalization: Normalization = Normalization()


@dataclass
class _Tasks:
    """The tasks trained so far (one per fold), and the one whose model the result returns."""

    trained: list = field(default_factory=list)
    chosen: object = None
    normalizations: list[Normalization] = field(default_factory=list)  # of each task's data
    base: BaseModel | None = None  # every fold's model starts from it


def train(
    config: TrainConfig,
    on_event: Callable[[Event], str | None],
    *,
    device: str = "cpu",
    threads: int | None = TRAINING_THREADS,
    base: BaseModel | None = None,
) -> TrainResult:
    """Train a model as configured, calling `on_event` with every measurement.

    `threads` sets torch's intra-op threads for the run (restored afterwards); None keeps
    the process's setting. `base` is the trained model a transfer-learning config starts
    from (config.transfer names it; the caller loads it).

    Events, in order (payloads in events.py): one INFO; then per epoch, step METRICs (at
    most MAX_STEP_EVENTS_PER_EPOCH + 1, the last one at the epoch's final step), the epoch
    METRIC, the kind's per-epoch events (for classifiers the validation CONFUSION_MATRIX
    and CLASSIFICATION_REPORT, then FAIRNESS on data with groups), GRADIENT_NORMS when
    asked for, and on snapshot epochs the kind's pictures; EARLY_STOP if early stopping
    ends the run; with optim.restore_best, WEIGHTS_RESTORED and the restored model's
    per-epoch events and pictures once training ends. Cross-validation repeats this per
    fold and ends with CV_SUMMARY; a test set ends the run with TEST_METRICS.
    Raises TrainingDiverged on a non-finite loss.
    """
    if config.transfer.enabled and base is None:
        raise ValueError("this config transfers from a base model: pass it as `base`")
    tasks = _Tasks(base=base if config.transfer.enabled else None)
    summary: dict | None = None
    stopped = False
    previous_threads = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        for event in _run_events(config, tasks, device):
            if summary is None:
                summary = empty_summary(event.payload["n_params"])
            update_summary(summary, event)
            if on_event(event) == STOP:
                stopped = True
                break
    finally:
        torch.set_num_threads(previous_threads)
    model = (tasks.chosen or tasks.trained[-1]).model
    chosen = -1 if tasks.chosen is None else tasks.trained.index(tasks.chosen)
    return TrainResult(
        stopped=stopped,
        epochs_completed=summary["epochs_completed"],
        summary=summary,
        model=model.cpu().eval(),
        normalization=tasks.normalizations[chosen],
    )


def effective_batch_size(batch_size: int | str, n_train: int) -> int:
    return n_train if batch_size == FULL_BATCH else min(batch_size, n_train)


def _run_events(config: TrainConfig, tasks: _Tasks, device: str) -> Iterator[Event]:
    folds = config.eval.cv_folds
    if not folds:
        torch.manual_seed(config.data.seed)
        data = load_dataset(config.data)
        task = _new_task(config, data, tasks, device)
        yield from _fit(config, data, task, device)
        if data.x_test is not None:
            yield Event(TEST_METRICS, task.test_metrics())
        return
    results = []
    for fold, data in enumerate(load_folds(config.data, folds), start=1):
        # Every fold starts from the same initial weights: only its data differs.
        torch.manual_seed(config.data.seed)
        task = _new_task(config, data, tasks, device)
        epochs = 0
        for event in _fit(config, data, task, device, cv_folds=folds):
            if event.type == METRIC and event.payload["scope"] == "epoch":
                epochs = event.payload["epoch"]
            yield Event(event.type, {"fold": fold, **event.payload})
        results.append({"fold": fold, **task.final_scores(), "epochs": epochs})
    yield Event(CV_SUMMARY, cv_summary(results))
    best = max(results, key=lambda result: result["val_accuracy"])
    tasks.chosen = tasks.trained[best["fold"] - 1]
    if data.x_test is not None:
        yield Event(TEST_METRICS, {"fold": best["fold"], **tasks.chosen.test_metrics()})


def _new_task(config: TrainConfig, data: Dataset, tasks: _Tasks, device: str):
    model = build_model(config.model, config.data)
    transfer = None
    if tasks.base is not None:
        transfer = start_from_base(model, config, tasks.base)
    task = TASKS[config.model.kind](config, data, model.to(device), device)
    task.transfer = transfer
    tasks.trained.append(task)
    tasks.normalizations.append(data.normalization)
    return task


def _fit(
    config: TrainConfig, data: Dataset, task, device: str, cv_folds: int = 0
) -> Iterator[Event]:
    """Trains `task.model` in place, yielding each event as soon as it is measured.

    A generator, so that training advances only while the caller keeps asking: once the
    caller stops iterating, no further step runs.
    """
    optim = config.optim
    model = task.model
    n_train = len(data.y_train)
    batch_size = effective_batch_size(optim.batch_size, n_train)
    batches = batch_bounds(n_train, batch_size, merge_single=_has_batch_norm(model))
    steps_per_epoch = len(batches)
    log_every = step_log_every(steps_per_epoch)
    # A generator of its own, so the shuffling order depends on the seed alone and not on
    # how many random numbers the model's initialization happened to draw.
    shuffle_generator = torch.Generator().manual_seed(config.data.seed)
    # Frozen layers (transfer learning) get no gradient: there is nothing to report for them.
    weights = ([(name, weight) for name, weight in weight_layers(model) if weight.requires_grad]
               if optim.log_grad_norms else [])

    info = run_info(data, model, optim.epochs, batch_size, steps_per_epoch)
    if cv_folds:
        info["cv_folds"] = cv_folds
    if getattr(task, "transfer", None):
        info["transfer"] = task.transfer
    yield Event(INFO, info)
    yield from task.start_events()

    step = 0
    best_val_loss, best_loss_epoch = math.inf, 0
    best_weights: dict[str, torch.Tensor] | None = None
    for epoch in range(1, optim.epochs + 1):
        lr = learning_rate(optim, epoch)
        if optim.schedule != "constant" or optim.warmup_epochs:
            for optimizer in task.optimizers:
                set_learning_rate(optimizer, lr)
        model.train()
        keep_frozen_in_eval(model)
        task.start_epoch()  # a kind that draws noise draws the epoch's now (engine/noise.py)
        order = torch.randperm(n_train, generator=shuffle_generator).to(device)
        # Kept as tensors and averaged only when reported: .item() on every step would
        # force a device sync per step. A reported point still reads its loss before the
        # next step runs, so that a STOP answered to it ends training right there: a
        # short epoch (every step a point) reads once per step.
        unreported_losses: list[torch.Tensor] = []
        gradient_norms: list[torch.Tensor] = []
        for step_in_epoch, (start, end) in enumerate(batches, start=1):
            loss = task.step(order[start:end])
            if weights:
                gradient_norms.append(torch.stack([w.grad.norm() for _, w in weights]))
            step += 1
            unreported_losses.append(loss)

            if step_in_epoch % log_every == 0 or step_in_epoch == steps_per_epoch:
                train_loss = _mean_loss(unreported_losses, epoch, step)
                unreported_losses = []
                yield Event(METRIC, {
                    "scope": "step", "epoch": epoch, "step": step, "train_loss": train_loss,
                })

        metrics = task.evaluate()
        for name in ("train_loss", "val_loss"):
            if not math.isfinite(metrics[name]):
                raise TrainingDiverged(epoch, step, metrics[name])
        yield Event(METRIC, {
            "scope": "epoch", "epoch": epoch, "epochs": optim.epochs, "step": step,
            **metrics, "lr": lr,
        })
        yield from task.epoch_events(epoch)
        if weights:
            norms = torch.stack(gradient_norms).mean(dim=0)
            yield Event(GRADIENT_NORMS, {
                "epoch": epoch, "layers": [name for name, _ in weights], "norms": norms.tolist(),
            })

        if metrics["val_loss"] < best_val_loss:
            best_val_loss, best_loss_epoch = metrics["val_loss"], epoch
            if optim.restore_best:
                best_weights = _copy_weights(model)
        patience = optim.early_stopping_patience
        stops_early = patience > 0 and epoch - best_loss_epoch >= patience
        if is_snapshot_epoch(epoch, optim.epochs) or stops_early:
            yield from task.snapshot_events(epoch)
        if stops_early:
            yield Event(EARLY_STOP, {
                "epoch": epoch, "best_val_loss_epoch": best_loss_epoch,
                "best_val_loss": best_val_loss, "patience": patience,
                "restore_best": optim.restore_best,
            })
            break
    if optim.restore_best:
        yield from _restore_weights(task, best_weights, best_loss_epoch, last_epoch=epoch)
    if isinstance(task, SupervisedTask):
        yield from task.end_events(best_loss_epoch if optim.restore_best else epoch)


def run_info(
    data: Dataset, model: nn.Module, epochs: int, batch_size: int, steps_per_epoch: int
) -> dict[str, object]:
    """The INFO payload of a run on `data` (without the cross-validation and transfer keys)."""
    info: dict[str, object] = {
        "n_train": len(data.y_train),
        "n_val": len(data.y_val),
        "n_features": data.n_features,
        "n_classes": data.n_classes,
        "classes": list(data.classes),
        "n_params": count_parameters(model),
        "epochs": epochs,
        "steps_per_epoch": steps_per_epoch,
        "batch_size": batch_size,
    }
    if data.y_test is not None:
        info["n_test"] = len(data.y_test)
    return info


def step_log_every(steps_per_epoch: int) -> int:
    """A step METRIC every this many steps (and at the epoch's last step)."""
    return max(1, math.ceil(steps_per_epoch / MAX_STEP_EVENTS_PER_EPOCH))


def _copy_weights(model: nn.Module) -> dict[str, torch.Tensor]:
    """The model's parameters and buffers (batch norm statistics too), detached copies."""
    return {name: value.detach().clone() for name, value in model.state_dict().items()}


def _restore_weights(
    task, weights: dict[str, torch.Tensor], weights_epoch: int, *, last_epoch: int
) -> Iterator[Event]:
    """Put the best epoch's weights back and measure them again, so that the summary, the
    test set, the cross-validation scores and the saved model all describe that model."""
    task.model.load_state_dict(weights)
    metrics = task.evaluate()
    yield Event(WEIGHTS_RESTORED, {
        "epoch": last_epoch, "weights_epoch": weights_epoch, **metrics,
    })
    yield from task.epoch_events(weights_epoch)
    yield from task.snapshot_events(weights_epoch)


def batch_bounds(n_train: int, batch_size: int, *, merge_single: bool) -> list[tuple[int, int]]:
    """(start, end) of each batch of a shuffled epoch; the last one may be smaller.

    Batch normalization cannot normalize a batch of one sample, so with it a last batch
    of one joins the batch before it.
    """
    bounds = [(start, min(start + batch_size, n_train)) for start in range(0, n_train, batch_size)]
    if merge_single and len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] == 1:
        bounds[-2:] = [(bounds[-2][0], n_train)]
    return bounds


def _has_batch_norm(model: nn.Module) -> bool:
    return any(isinstance(module, nn.modules.batchnorm._BatchNorm) for module in model.modules())


def _mean_loss(losses: list[torch.Tensor], epoch: int, last_step: int) -> float:
    return mean_step_loss(torch.stack(losses), epoch, last_step)


def mean_step_loss(stacked: torch.Tensor, epoch: int, last_step: int) -> float:
    """Mean of the batch losses (1-D) of the steps up to `last_step`, which must all be
    finite (else TrainingDiverged names the first step that was not)."""
    # One device sync in the common case: a NaN or infinite loss makes the mean non-finite.
    mean = stacked.mean().item()
    if math.isfinite(mean):
        return mean
    finite = torch.isfinite(stacked)
    if finite.all():  # finite losses whose float32 sum overflowed
        return stacked.double().mean().item()
    first_bad = int((~finite).nonzero()[0])
    first_step = last_step - len(stacked) + 1
    raise TrainingDiverged(epoch, first_step + first_bad, stacked[first_bad].item())
