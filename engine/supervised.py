"""Supervised learning for the training loop: classifiers (mlp, cnn, rnn on text) trained
with cross-entropy, and the series forecaster (rnn on series) trained with squared error.

A task owns what is specific to its kind of learning (the loss of one step, the epoch's
measurements, the pictures) and leaves the loop in `training` to do the rest.
"""

import functools
from typing import cast

import torch
import torch.nn.functional as F
from torch import nn

from engine import snapshots
from engine.augment import augmenter_for
from engine.config import TrainConfig
from engine.dataset import Dataset
from engine.events import (
    ATTENTION,
    CLASSIFICATION_REPORT,
    CONFUSION_MATRIX,
    DATA_POINTS,
    DECISION_BOUNDARY,
    FAIRNESS,
    FEATURE_MAPS,
    FILTERS,
    FORECAST,
    MISCLASSIFIED,
    RANKING,
    TEXT_SAMPLE,
    Event,
)
from engine.metrics import (
    classification_report,
    confusion_counts,
    confusion_matrix,
    fairness_from_counts,
    group_counts,
    group_fairness,
    matrix_accuracy,
    report_from_matrix,
)
from engine.optimizers import build_optimizer, clip_and_step
from engine.ranking import ranking_report
from engine.transformer import TransformerNet

# Larger models are evaluated this many samples at a time, to bound the memory the
# activations of a whole training set would take.
EVAL_CHUNK = 500


class SupervisedTask:
    def __init__(self, config: TrainConfig, data: Dataset, model: nn.Module, device: str) -> None:
        self.config, self.data, self.model = config, data, model
        self.x_train, self.y_train = data.x_train.to(device), data.y_train.to(device)
        self.x_val, self.y_val = data.x_val.to(device), data.y_val.to(device)
        self.classifies = data.n_classes > 0
        # The training objective; `evaluate` measures plain cross-entropy whatever it is.
        self.loss = (
            functools.partial(
                F.cross_entropy, label_smoothing=config.optim.label_smoothing,
                weight=self._class_weights(config, data, device),
            )
            if self.classifies else F.mse_loss
        )
        # Frozen layers (transfer learning) are left out: weight decay must not shrink them.
        trainable = [parameter for parameter in model.parameters() if parameter.requires_grad]
        self.optimizers = [build_optimizer(config.optim, trainable)]
        # An MLP is small: evaluated in one pass, exactly as it always was.
        self.chunk = None if config.model.kind == "mlp" else EVAL_CHUNK
        self.on_plane = self.classifies and self.x_train.dim() == 2 and data.n_features == 2
        self.val_predictions: torch.Tensor | None = None
        self.matrix: list[list[int]] | None = None  # the validation set's, last evaluated
        self.val_accuracy = 0.0
        self.report: dict | None = None
        self.fairness: dict | None = None
        self.g_val = data.g_val.to(device) if data.groups else None
        # Only the training step sees augmented images; measuring reads x_train as it is.
        self.augment = augmenter_for(config.data, device)
        self.sample_weights = None
        if config.optim.reweight == "group_label":
            self.sample_weights = group_label_weights(data.g_train, data.y_train).to(device)

    @staticmethod
    def _class_weights(config: TrainConfig, data: Dataset, device: str) -> torch.Tensor | None:
        if config.optim.class_weights == "none":
            return None
        return balanced_class_weights(data.y_train, data.n_classes).to(device)

    def start_events(self) -> list[Event]:
        if not self.on_plane:
            return []
        return [Event(DATA_POINTS, snapshots.data_points(self.data.x_train, self.data.y_train))]

    def start_epoch(self) -> None:
        pass

    def step(self, batch: torch.Tensor) -> torch.Tensor:
        (optimizer,) = self.optimizers
        inputs = self.x_train[batch]
        if self.augment is not None:
            inputs = self.augment(inputs)
        if self.config.model.kind == "transformer":
            loss = self._every_position_loss(inputs, batch)
        elif self.sample_weights is None:
            loss = self.loss(self.model(inputs), self.y_train[batch])
        else:
            losses = self.loss(self.model(inputs), self.y_train[batch], reduction="none")
            weights = self.sample_weights[batch]
            loss = (losses * weights).sum() / weights.sum()
        optimizer.zero_grad()
        loss.backward()
        clip_and_step(optimizer, self.config.optim.clip_grad_norm)
        return loss.detach()

    def _every_position_loss(self, windows: torch.Tensor, batch: torch.Tensor) -> torch.Tensor:
        """A transformer learns the next character after every position of a window: the
        targets are the window shifted by one, then the window's own target. (Evaluation
        still measures the prediction after the whole window, as for the recurrent model.)"""
        targets = torch.cat([windows[:, 1:], self.y_train[batch][:, None]], dim=1)
        logits = cast(TransformerNet, self.model).every_position(windows)
        return self.loss(logits.flatten(0, 1), targets.flatten())

    def evaluate(self, logits: tuple[torch.Tensor, torch.Tensor] | None = None) -> dict:
        """The epoch's measurements, read from the device in one copy: the losses, the
        training set's correct count and the validation set's confusion matrix (and counts
        per group), from which the accuracies, the report and the fairness rates follow.
        `logits`: the model's outputs on the training and the validation set, when the
        caller computed them (packed training: all jobs' at once)."""
        if not self.classifies:
            losses = torch.stack([
                self._mse(self.x_train, self.y_train),
                self._mse(self.x_val, self.y_val),
                F.mse_loss(self.x_val[:, -1, 0], self.y_val),
            ]).tolist()
            return dict(zip(("train_loss", "val_loss", "val_naive_mse"), losses, strict=True))
        n_classes = self.data.n_classes
        if logits is None:
            self.model.eval()
            with torch.no_grad():
                logits = (_predict(self.model, self.x_train, self.chunk),
                          _predict(self.model, self.x_val, self.chunk))
        train_loss, train_predictions = scores(logits[0], self.y_train)
        val_loss, self.val_predictions = scores(logits[1], self.y_val)
        counted = [
            torch.stack([train_loss.double(), (train_predictions == self.y_train).sum().double(),
                         val_loss.double()]),
            confusion_counts(self.y_val, self.val_predictions, n_classes).flatten().double(),
        ]
        if self.g_val is not None:
            by_group = group_counts(self.y_val, self.val_predictions, self.g_val,
                                    len(self.data.groups))
            counted.append(by_group.flatten().double())
        # Counts are exact in float64 and a float32 loss converts exactly: one copy.
        values = torch.cat(counted).tolist()
        cells = [int(count) for count in values[3:]]
        self.matrix = [cells[row * n_classes:(row + 1) * n_classes] for row in range(n_classes)]
        self.val_accuracy = matrix_accuracy(self.matrix)
        self.report = report_from_matrix(self.matrix)
        if self.g_val is not None:
            self.fairness = fairness_from_counts(cells[n_classes * n_classes:])
        return {
            "train_loss": values[0],
            "train_accuracy": int(values[1]) / len(self.y_train),
            "val_loss": values[2],
            "val_accuracy": self.val_accuracy,
        }

    def epoch_events(self, epoch: int) -> list[Event]:
        if not self.classifies:
            return []
        labels = list(self.data.classes)
        return [
            Event(CONFUSION_MATRIX, {"epoch": epoch, "labels": labels, "matrix": self.matrix}),
            Event(CLASSIFICATION_REPORT, {"epoch": epoch, "labels": labels, **self.report}),
        ] + self._fairness_events(epoch)

    def _fairness_events(self, epoch: int) -> list[Event]:
        if self.fairness is None:
            return []
        groups = list(self.data.groups)
        return [Event(FAIRNESS, {"epoch": epoch, "groups": groups, **self.fairness})]

    def snapshot_events(self, epoch: int, grid_logits: torch.Tensor | None = None) -> list[Event]:
        """The pictures; `grid_logits`: the model's outputs at the decision boundary's grid
        points (snapshots.grid_points), when the caller computed them."""
        return self._picture_events(epoch, grid_logits) + self._misclassified_events(epoch)

    def _misclassified_events(self, epoch: int) -> list[Event]:
        if not self.classifies or self.val_predictions is None:
            return []
        payload = snapshots.misclassified(
            self.x_val, self.y_val, self.val_predictions, self.on_plane
        )
        return [Event(MISCLASSIFIED, {"epoch": epoch, **payload})] if payload else []

    def _picture_events(self, epoch: int, grid_logits: torch.Tensor | None = None) -> list[Event]:
        kind, dataset = self.config.model.kind, self.config.data.name
        if self.on_plane:
            xs, ys = snapshots.grid_axes(self.data.x_train)
            payload = snapshots.decision_boundary(self.model, xs, ys, grid_logits)
            return [Event(DECISION_BOUNDARY, {"epoch": epoch, **payload})]
        if kind == "cnn":
            label = self.data.classes[int(self.y_val[0])]
            return [
                Event(FILTERS, {"epoch": epoch, **snapshots.filters(self.model.first_conv)}),
                Event(FEATURE_MAPS, {
                    "epoch": epoch, **snapshots.feature_maps(self.model, self.x_val[0], label)
                }),
            ]
        if kind == "rnn" and dataset == "series":
            payload = snapshots.forecast(self.model, self.x_val, self.y_val)
            return [Event(FORECAST, {"epoch": epoch, **payload})]
        if kind in ("rnn", "transformer"):
            payload = snapshots.text_sample(self.model, self.x_val[0], self.config.data.seed)
            events = [Event(TEXT_SAMPLE, {"epoch": epoch, **payload})]
            if kind == "transformer":
                attention = snapshots.attention(cast(TransformerNet, self.model), self.x_val[0])
                events.append(Event(ATTENTION, {"epoch": epoch, **attention}))
            return events
        return []

    @torch.no_grad()
    def end_events(self, epoch: int) -> list[Event]:
        """The final model's ROC, PR and calibration on the validation set (two classes)."""
        if self.data.n_classes != 2:
            return []
        self.model.eval()
        scores = torch.softmax(_predict(self.model, self.x_val, self.chunk), dim=1)[:, 1]
        report = ranking_report(self.y_val.cpu().numpy(), scores.double().cpu().numpy())
        return [Event(RANKING, {"epoch": epoch, **report})]

    def final_scores(self) -> dict:
        """The last epoch's validation scores, for cross-validation's summary."""
        return {"val_accuracy": self.val_accuracy, "macro_f1": self.report["macro"]["f1"]}

    def test_metrics(self) -> dict:
        x_test = self.data.x_test.to(self.x_train.device)
        y_test = self.data.y_test.to(self.x_train.device)
        loss, test_accuracy, predictions = evaluate(self.model, x_test, y_test, self.chunk)
        n_classes = self.data.n_classes
        result = {
            "accuracy": test_accuracy,
            "loss": loss,
            "labels": list(self.data.classes),
            "matrix": confusion_matrix(y_test, predictions, n_classes),
            **classification_report(y_test, predictions, n_classes),
            "n_test": len(y_test),
        }
        if self.data.groups:
            g_test = self.data.g_test.to(y_test.device)
            result["fairness"] = {
                "groups": list(self.data.groups),
                **group_fairness(y_test, predictions, g_test, len(self.data.groups)),
            }
        return result

    @torch.no_grad()
    def _mse(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        self.model.eval()
        return F.mse_loss(_predict(self.model, x, self.chunk), y)


def balanced_class_weights(labels: torch.Tensor, n_classes: int) -> torch.Tensor:
    """n / (K · n_k) for each class k of the training labels (scikit-learn's
    compute_class_weight("balanced")): every class then adds the same total weight, n / K.
    A class absent from the training set gets weight 0 (it never occurs in the loss)."""
    counts = torch.bincount(labels.long(), minlength=n_classes).double()
    weights = torch.where(counts > 0, len(labels) / (n_classes * counts.clamp(min=1)), 0.0)
    return weights.float()


def group_label_weights(groups: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """A weight per sample such that every (group, label) cell present has the same total
    weight, n / cells (Kamiran & Calders' reweighing, with equal cells): the weights
    average 1, and a cell of 10 samples weighs as much as one of 400."""
    cell = groups.long() * 2 + labels.long()
    counts = torch.bincount(cell, minlength=int(cell.max()) + 1).double()
    n_cells = int((counts > 0).sum())
    per_cell = torch.where(counts > 0, len(cell) / (n_cells * counts.clamp(min=1)), 0.0)
    return per_cell[cell].float()


@torch.no_grad()
def evaluate(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, chunk: int | None = None
) -> tuple[float, float, torch.Tensor]:
    """(mean cross-entropy loss, accuracy, predicted classes) of the model on (x, y)."""
    loss, predictions = _measure(model, x, y, chunk)
    values = torch.stack([loss.double(), (predictions == y).sum().double()]).tolist()
    return values[0], int(values[1]) / len(y), predictions


@torch.no_grad()
def _measure(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, chunk: int | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """(mean cross-entropy loss, predicted classes) of the model on (x, y), on the device."""
    model.eval()
    return scores(_predict(model, x, chunk), y)


@torch.no_grad()
def scores(logits: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(mean cross-entropy loss, predicted classes) of these logits for y, on the device."""
    return F.cross_entropy(logits, y), logits.argmax(dim=1)


def _predict(model: nn.Module, x: torch.Tensor, chunk: int | None) -> torch.Tensor:
    if chunk is None or len(x) <= chunk:
        return model(x)
    return torch.cat([model(part) for part in torch.split(x, chunk)])
