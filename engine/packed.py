"""Packed training: K MLP jobs of one architecture trained together in one vectorized pass.

A lab's jobs are small (a 16-unit MLP on 400 points): alone, each optimizer step is a few
tiny matrix products dominated by Python and dispatch overhead. Stacking the K jobs'
parameters along a leading dimension (`torch.func.stack_module_state`) and running the
model under `torch.vmap` pays that overhead once per step for all K.

Each job keeps what makes it itself: its seed (so its own data, split, initial weights and
shuffling order), lr, weight decay, momentum and lr schedule. Packed training reproduces
`training.train` job by job (the same seeding, batches, loss and optimizer formulas), so
the final weights equal a solo run's up to float rounding.
"""

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call, stack_module_state

from engine.config import MlpConfig, TrainConfig
from engine.dataset import Dataset
from engine.datasets import load_dataset
from engine.events import STOP
from engine.models import build_model
from engine.optimizers import learning_rate
from engine.training import (
    TRAINING_THREADS,
    TrainingDiverged,
    batch_bounds,  # the very batches `train` uses, so packed and solo steps line up
    effective_batch_size,
)

# Data fields that decide the tensors' shapes (so they must match); the others (seed,
# noise, the hiring set's biases) only change values, which may differ per job.
SHAPE_DATA_FIELDS = (
    "name", "n_samples", "val_fraction", "test_fraction", "train_size", "window",
    "use_group_feature",
)
# Optimizer fields that decide the steps and the update rule; lr, momentum, weight decay
# and the lr schedule are per job.
SHARED_OPTIM_FIELDS = ("name", "batch_size", "epochs")
PACKED_OPTIMIZERS = ("sgd", "momentum", "adam", "adamw", "rmsprop")
# torch.optim's defaults, which optimizers.py leaves as they are.
ADAM_BETAS, ADAM_EPS = (0.9, 0.999), 1e-8
RMSPROP_ALPHA, RMSPROP_EPS = 0.99, 1e-8

EpochCallback = Callable[[int, dict], str | None]


@dataclass
class PackedResult:
    """One job's outcome: what `train` would have reported for it."""

    history: list[dict] = field(default_factory=list)  # epoch METRIC payloads, as in `train`
    # Per epoch, each step's batch loss (as `train`'s up to the last bit of rounding).
    step_losses: list[list[float]] = field(default_factory=list)
    model: nn.Module | None = None  # trained, on the cpu, in eval mode
    data: Dataset | None = None  # the job's split, for measuring the final model on
    diverged: TrainingDiverged | None = None  # the error `train` would have raised
    stopped: bool = False  # on_epoch answered STOP: no later epoch was reported

    @property
    def epochs_completed(self) -> int:
        return len(self.history)


def can_pack(configs: list[TrainConfig]) -> str | None:
    """None when `train_packed` can train these configs together, else why not."""
    if not configs:
        return "no configs to pack"
    for index, config in enumerate(configs):
        reason = _unsupported(config)
        if reason:
            return f"job {index}: {reason}"
    for index, config in enumerate(configs[1:], start=1):
        reason = _mismatch(configs[0], config)
        if reason:
            return f"job {index} differs from job 0 in {reason}"
    return None


def _unsupported(config: TrainConfig) -> str | None:
    """Why this config, even alone, cannot be trained packed (None if it can)."""
    model, optim = config.model, config.optim
    mlp = isinstance(model, MlpConfig)
    transfer = getattr(config, "transfer", None)
    checks = [
        (not mlp, f'model.kind "{model.kind}": only MLPs are packed'),
        (isinstance(model, MlpConfig) and bool(model.dropout),
         "dropout: its random masks are not reproduced packed"),
        (isinstance(model, MlpConfig) and model.batch_norm,
         "batch_norm: running statistics are not packed"),
        (isinstance(model, MlpConfig) and model.layer_norm,
         "layer_norm: normalization layers are not packed"),
        (bool(config.eval.cv_folds), "cross-validation trains one model per fold"),
        (optim.early_stopping_patience > 0, "early stopping ends jobs at different epochs"),
        (optim.restore_best, "restoring the best epoch's weights is not packed"),
        (optim.log_grad_norms, "gradient norms are not measured packed"),
        (optim.clip_grad_norm > 0, "gradient clipping is not packed"),
        (optim.reweight != "none", "sample reweighting is not packed"),
        (optim.label_smoothing > 0, "label smoothing is not packed"),
        (bool(config.data.augment_shift or config.data.augment_rotation_deg),
         "data augmentation is not packed"),
        (optim.class_weights != "none", "class weights are not packed"),
        (optim.name not in PACKED_OPTIMIZERS, f'optimizer "{optim.name}" is not packed'),
        (transfer is not None and transfer.enabled, "transfer learning starts from a base"),
    ]
    return next((reason for failed, reason in checks if failed), None)


def _mismatch(first: TrainConfig, other: TrainConfig) -> str | None:
    """The first shared setting in which two jobs differ (None if none does)."""
    if other.model != first.model:
        return "the model section (architecture)"
    for name in SHAPE_DATA_FIELDS:
        if getattr(other.data, name, None) != getattr(first.data, name, None):
            return f"data.{name}"
    for name in SHARED_OPTIM_FIELDS:
        if getattr(other.optim, name) != getattr(first.optim, name):
            return f"optim.{name}"
    return None


def train_packed(
    configs: list[TrainConfig],
    on_epoch: EpochCallback | None = None,
    *,
    threads: int | None = TRAINING_THREADS,
) -> list[PackedResult]:
    """Train the jobs together; one PackedResult per config, in order.

    `on_epoch(job_index, payload)` gets each job's epoch METRIC payload as soon as the
    epoch is measured; answering STOP ends that job's reports (the others go on). A job
    whose loss stops being finite gets `diverged` set and no later reports, and leaves
    the others untouched (the jobs share no tensor element).
    The global torch generator is left as found; `threads` as in `train`.
    Raises ValueError when `can_pack(configs)` gives a reason.
    """
    reason = can_pack(configs)
    if reason:
        raise ValueError(f"cannot pack these configs: {reason}")
    previous_threads = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        with torch.random.fork_rng(devices=[]):
            loaded = [_load(config) for config in configs]
        results = [PackedResult(model=model, data=data) for data, model in loaded]
        _fit_packed(configs, loaded, results, on_epoch or (lambda index, payload: None))
    finally:
        torch.set_num_threads(previous_threads)
    return results


def _load(config: TrainConfig) -> tuple[Dataset, nn.Module]:
    """Data and initial model drawn from the seed exactly as `training._run_events` does."""
    torch.manual_seed(config.data.seed)
    data = load_dataset(config.data)
    return data, build_model(config.model, config.data)


def _stack(datasets: list[Dataset], name: str) -> torch.Tensor:
    tensors = [getattr(data, name) for data in datasets]
    if any(tensor.shape != tensors[0].shape for tensor in tensors):
        raise ValueError(f"the jobs' {name} differ in shape: they cannot be packed")
    return torch.stack(tensors)


def _fit_packed(configs, loaded, results: list[PackedResult], on_epoch: EpochCallback) -> None:
    """The loop of `training._fit`, every tensor carrying the jobs along dimension 0."""
    datasets, models = [data for data, _ in loaded], [model for _, model in loaded]
    x_train, y_train = _stack(datasets, "x_train"), _stack(datasets, "y_train")
    x_val, y_val = _stack(datasets, "x_val"), _stack(datasets, "y_val")
    optim = configs[0].optim
    n_train = y_train.shape[1]
    batch_size = effective_batch_size(optim.batch_size, n_train)
    batches = batch_bounds(n_train, batch_size, merge_single=False)  # no batch norm here
    params, _ = stack_module_state(models)  # an MLP without batch norm has no buffers
    params = {name: value.detach().requires_grad_() for name, value in params.items()}
    predict = _packed_predictor(models[0])
    optimizer = PackedOptimizer(configs, params)
    # One shuffling generator per job, seeded as `train` seeds its own.
    generators = [torch.Generator().manual_seed(config.data.seed) for config in configs]
    rows = torch.arange(len(configs)).unsqueeze(1)
    step = 0
    for epoch in range(1, optim.epochs + 1):
        lrs = [learning_rate(config.optim, epoch) for config in configs]
        orders = torch.stack([torch.randperm(n_train, generator=g) for g in generators])
        losses = []
        for start, end in batches:
            batch = orders[:, start:end]
            losses.append(_step(predict, params, optimizer, lrs, x_train[rows, batch],
                                y_train[rows, batch]))
        step += len(batches)
        measured = {
            **_evaluate(predict, params, x_train, y_train, "train"),
            **_evaluate(predict, params, x_val, y_val, "val"),
            "lr": lrs,
        }
        epoch_info = {"scope": "epoch", "epoch": epoch, "epochs": optim.epochs, "step": step}
        _report(results, on_epoch, torch.stack(losses, dim=1).tolist(), measured, epoch_info)
        if all(result.stopped or result.diverged for result in results):
            break  # every job was cancelled or diverged: no one is waiting for more epochs
    _unstack(params, models)


def _packed_predictor(model: nn.Module) -> Callable:
    """(stacked params, stacked inputs) -> stacked logits: torch.func's model-ensembling
    recipe, over a parameterless copy of the architecture on the meta device."""
    base = copy.deepcopy(model).to("meta")

    def predict_one(params: dict, x: torch.Tensor) -> torch.Tensor:
        return functional_call(base, params, (x,))

    return torch.vmap(predict_one)


def _step(predict, params: dict, optimizer, lrs: list[float], x, y) -> torch.Tensor:
    """One optimizer step of every job; returns the K batch losses.

    The jobs share no parameter, so the gradient of the summed losses with respect to the
    stacked parameters is each job's own gradient, side by side.
    """
    losses = _cross_entropies(predict(params, x), y)
    grads = torch.autograd.grad(losses.sum(), list(params.values()))
    with torch.no_grad():
        optimizer.step(params, dict(zip(params, grads, strict=True)), lrs)
    return losses.detach()


def _cross_entropies(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Each job's mean cross-entropy, (K, n, classes) x (K, n) -> (K,).

    Written out because a vmapped F.cross_entropy runs a Python decomposition at every
    step. The softmax runs along the last dimension as in a solo F.cross_entropy, and the
    mean divides by n, so the gradients keep a solo run's rounding."""
    log_probabilities = F.log_softmax(logits, dim=-1)
    picked = log_probabilities.gather(-1, y.unsqueeze(-1)).squeeze(-1)
    return -picked.sum(dim=1) / y.shape[1]


@torch.no_grad()
def _evaluate(predict, params: dict, x: torch.Tensor, y: torch.Tensor, split: str) -> dict:
    """Per job, the mean cross-entropy and the accuracy on a whole split, as `evaluate`."""
    logits = predict(params, x)
    # Job by job, not vmapped: the vmapped mean sums in another order, and the epoch's
    # losses should be the very numbers `train` reports (the logits already are).
    pairs = zip(logits, y, strict=True)
    losses = torch.stack([F.cross_entropy(one, target) for one, target in pairs])
    correct = (logits.argmax(dim=2) == y).sum(dim=1).tolist()
    return {
        f"{split}_loss": losses.tolist(),
        # An exact fraction of two ints, like metrics.accuracy.
        f"{split}_accuracy": [count / y.shape[1] for count in correct],
    }


def _report(results, on_epoch, step_losses: list[list[float]], measured: dict, info: dict):
    """Record the epoch of every job still reporting, and tell `on_epoch`."""
    for index, result in enumerate(results):
        if result.diverged or result.stopped:
            continue
        payload = {**info, **{name: values[index] for name, values in measured.items()}}
        result.diverged = _divergence(step_losses[index], payload)
        if result.diverged:
            continue
        result.step_losses.append(step_losses[index])
        result.history.append(payload)
        if on_epoch(index, payload) == STOP:
            result.stopped = True


def _divergence(step_losses: list[float], payload: dict) -> TrainingDiverged | None:
    """The TrainingDiverged `train` would have raised in this epoch, or None."""
    first_step = payload["step"] - len(step_losses) + 1
    for offset, loss in enumerate(step_losses):
        if not math.isfinite(loss):
            return TrainingDiverged(payload["epoch"], first_step + offset, loss)
    for name in ("train_loss", "val_loss"):
        if not math.isfinite(payload[name]):
            return TrainingDiverged(payload["epoch"], payload["step"], payload[name])
    return None


def _unstack(params: dict, models: list[nn.Module]) -> None:
    """Copy each job's slice of the stacked parameters back into its own model."""
    with torch.no_grad():
        for index, model in enumerate(models):
            for name, parameter in model.named_parameters():
                parameter.copy_(params[name][index])
            model.eval()


class PackedOptimizer:
    """torch.optim's update formulas (single-tensor path, the one it takes on the cpu) for
    sgd, momentum, adam, adamw and rmsprop as optimizers.py builds them, applied to stacked
    parameters with per-job hyperparameters (a (K,) tensor broadcast over each slice).

    Written out rather than one torch.optim optimizer over the stacked tensors, whose
    scalar lr and weight decay would be shared by all jobs. Each update uses the op whose
    rounding equals torch's scalar one (`add_(g, alpha=-lr)` is `addcmul(p, g, -lr)`,
    `addcdiv_(a, d, value=-s)` is `addcdiv(p, -s * a, d)`), so a packed step gives the
    same bits as a solo step.
    """

    def __init__(self, configs: list[TrainConfig], params: dict) -> None:
        optims = [config.optim for config in configs]
        self.name = optims[0].name
        self.weight_decays = [optim.weight_decay for optim in optims]
        self.weight_decay = torch.tensor(self.weight_decays)
        self.decays = any(self.weight_decays)  # torch skips 0 exactly
        self.decoupled = self.name == "adamw"
        self.momentum = torch.tensor([optim.momentum for optim in optims])
        self.state: dict[str, dict] = {name: {} for name in params}
        self.steps = 0

    def step(self, params: dict, grads: dict, lrs: list[float]) -> None:
        """Update `params` in place (call under no_grad) with each job's own lr."""
        self.steps += 1
        update = getattr(self, f"_{self.name}")
        # AdamW's decoupled decay: each job's 1 - lr * weight_decay, computed in double as
        # torch computes it from its float hyperparameters.
        shrink = torch.tensor([1 - lr * decay for lr, decay in zip(lrs, self.weight_decays,
                                                                   strict=True)])
        for name, param in params.items():
            grad = grads[name]
            if self.decays and self.decoupled:
                param.mul_(_per_job(shrink, param))
            elif self.decays:  # the L2 penalty added to the gradient, as torch.optim does
                grad = torch.addcmul(grad, param, _per_job(self.weight_decay, grad))
            update(param, self.state[name], grad, lrs)

    def _sgd(self, param, state: dict, grad: torch.Tensor, lrs: list[float]) -> None:
        param.addcmul_(grad, _per_job(-torch.tensor(lrs), grad))

    def _momentum(self, param, state: dict, grad: torch.Tensor, lrs: list[float]) -> None:
        if "buffer" not in state:
            state["buffer"] = grad.clone()  # torch's first step: the buffer is the gradient
        else:
            state["buffer"].mul_(_per_job(self.momentum, grad)).add_(grad)
        self._sgd(param, state, state["buffer"], lrs)

    def _adam(self, param, state: dict, grad: torch.Tensor, lrs: list[float]) -> None:
        beta1, beta2 = ADAM_BETAS
        if not state:
            state["exp_avg"], state["exp_avg_sq"] = torch.zeros_like(grad), torch.zeros_like(grad)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        bias_correction1 = 1 - beta1**self.steps
        bias_correction2_sqrt = (1 - beta2**self.steps) ** 0.5
        # Each job's step size in double precision, as torch computes it from a float lr.
        step_size = torch.tensor([lr / bias_correction1 for lr in lrs])
        denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(ADAM_EPS)
        param.addcdiv_(_per_job(-step_size, grad) * exp_avg, denom)

    _adamw = _adam  # the same step once the weights have shrunk

    def _rmsprop(self, param, state: dict, grad: torch.Tensor, lrs: list[float]) -> None:
        if not state:
            state["square_avg"] = torch.zeros_like(grad)
        square_avg = state["square_avg"]
        square_avg.mul_(RMSPROP_ALPHA).addcmul_(grad, grad, value=1 - RMSPROP_ALPHA)
        average = square_avg.sqrt().add_(RMSPROP_EPS)
        param.addcdiv_(_per_job(-torch.tensor(lrs), grad) * grad, average)


def _per_job(values: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """A (K,) tensor shaped to broadcast over stacked tensors like `like` (K, ...)."""
    return values.to(like.dtype).view(-1, *[1] * (like.dim() - 1))
