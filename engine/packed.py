"""Packed training: K MLP jobs of one architecture trained together in one vectorized pass.

A lab's jobs are small (a 16-unit MLP on 400 points): alone, each optimizer step is a few
tiny matrix products dominated by Python and dispatch overhead. Stacking the K jobs'
parameters along a leading dimension (`torch.func.stack_module_state`) and running the
model under `torch.vmap` pays that overhead once per step for all K.

Each job keeps what makes it itself: its seed (so its own data, split, initial weights and
shuffling order), lr, weight decay, momentum and lr schedule. Packed training reproduces
`training.train` job by job (the same seeding, batches, loss and optimizer formulas), so
the final weights equal a solo run's up to float rounding; and each job reports what
`train` reports for it alone, through the same kind of callback (packed_events.py): its
INFO, step points, epoch METRIC, per-epoch matrix and report, pictures and test metrics,
in the same order and at the same cadence. Only the steps are shared: each epoch's
measurements are taken job by job, on the job's own model, by the code `train` uses.
"""

import copy
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call, stack_module_state

from engine import budget
from engine.config import MlpConfig, TrainConfig
from engine.config_rules import split_sizes
from engine.dataset import Dataset
from engine.datasets import load_dataset
from engine.models import build_model
from engine.optimizers import learning_rate
from engine.packed_events import JobEventCallback, PackedJob, PackedResult
from engine.packed_optim import PackedOptimizer, Params
from engine.snapshots import grid_axes, grid_points, is_snapshot_epoch
from engine.training import (
    TRAINING_THREADS,
    batch_bounds,  # the very batches `train` uses, so packed and solo steps line up
    effective_batch_size,
    run_info,
    step_log_every,
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

# on_end(job_index, result): the job is done (finished, stopped or diverged).
EndCallback = Callable[[int, PackedResult], None]
# (stacked parameters, stacked inputs) -> stacked outputs.
Predictor = Callable[[Params, torch.Tensor], torch.Tensor]


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


def pack_size_within(config: TrainConfig, seconds: float) -> int:
    """How many jobs like `config` one pack may hold and still end within `seconds` even if
    packing saved nothing (each job costing its solo estimate, budget.estimate_seconds):
    a pack ends all its jobs together, so it must fit the time limit of each. At least 1."""
    sizes = split_sizes(config.data)
    return max(1, int(seconds // budget.estimate_seconds(config, sizes.train, sizes.val)))


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
    on_event: JobEventCallback | None = None,
    *,
    on_end: EndCallback | None = None,
    threads: int | None = TRAINING_THREADS,
) -> list[PackedResult]:
    """Train the jobs together; one PackedResult per config, in order.

    `on_event(job_index, event)` gets each of job's events as `train(config, on_event)`
    would, the moment it is measured (INFO also carries `packed_with`, the number of other
    jobs, when there are any); answering STOP ends that job's training and reports, the
    others go on. A job whose loss stops being finite gets `diverged` set where `train`
    would have raised, and reports nothing more; it leaves the others untouched (the jobs
    share no tensor element). `on_end(job_index, result)` is called once per job as soon
    as it is done: stopped, diverged, or trained to its end and reported in full; its
    result's model then holds its final weights and `train_result()` gives what `train`
    returns. Training stops once no job is left reporting.
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
        jobs = [PackedJob(index, config, data, model, on_event or _ignore)
                for index, (config, (data, model)) in enumerate(zip(configs, loaded, strict=True))]
        _fit_packed(configs, jobs, on_end or _ignore)
    finally:
        torch.set_num_threads(previous_threads)
    return [job.result for job in jobs]


def _ignore(index: int, what: object) -> None:
    return None


def _load(config: TrainConfig) -> tuple[Dataset, nn.Module]:
    """Data and initial model drawn from the seed exactly as `training._run_events` does."""
    torch.manual_seed(config.data.seed)
    data = load_dataset(config.data)
    return data, build_model(config.model, config.data)


def _stack(jobs: list[PackedJob], name: str) -> torch.Tensor:
    tensors = [getattr(job.result.data, name) for job in jobs]
    if any(tensor.shape != tensors[0].shape for tensor in tensors):
        raise ValueError(f"the jobs' {name} differ in shape: they cannot be packed")
    return torch.stack(tensors)


def _fit_packed(configs: list[TrainConfig], jobs: list[PackedJob], on_end: EndCallback) -> None:
    """The loop of `training._fit`, every tensor carrying the jobs along dimension 0."""
    x_train, y_train = _stack(jobs, "x_train"), _stack(jobs, "y_train")
    x_val = _stack(jobs, "x_val")
    # The decision boundary's grid of each job (they share a dataset: all or none have one).
    grids = (torch.stack([grid_points(*grid_axes(job.result.data.x_train)) for job in jobs])
             if jobs[0].task.on_plane else None)
    optim = configs[0].optim
    n_train = y_train.shape[1]
    batch_size = effective_batch_size(optim.batch_size, n_train)
    batches = batch_bounds(n_train, batch_size, merge_single=False)  # no batch norm here
    log_every = step_log_every(len(batches))
    models = [job.result.model for job in jobs]
    params, _ = stack_module_state(models)  # an MLP without batch norm has no buffers
    params = {name: value.detach().requires_grad_() for name, value in params.items()}
    predict = _packed_predictor(models[0])
    optimizer = PackedOptimizer(configs, params)
    # One shuffling generator per job, seeded as `train` seeds its own.
    generators = [torch.Generator().manual_seed(config.data.seed) for config in configs]
    rows = torch.arange(len(configs)).unsqueeze(1)
    packed_with = {"packed_with": len(jobs) - 1} if len(jobs) > 1 else {}
    for job in jobs:
        job.start({**run_info(job.result.data, job.result.model, optim.epochs, batch_size,
                              len(batches)), **packed_with})
    if not _hand_over_done(jobs, params, on_end):
        return
    step = epoch = 0
    for epoch in range(1, optim.epochs + 1):
        lrs = [learning_rate(config.optim, epoch) for config in configs]
        orders = torch.stack([torch.randperm(n_train, generator=g) for g in generators])
        losses: list[torch.Tensor] = []  # the steps' (K,) losses since the last step point
        for step_in_epoch, (start, end) in enumerate(batches, start=1):
            batch = orders[:, start:end]
            losses.append(_step(predict, params, optimizer, lrs, x_train[rows, batch],
                                y_train[rows, batch]))
            step += 1
            if step_in_epoch % log_every == 0 or step_in_epoch == len(batches):
                per_job = torch.stack(losses, dim=1)  # row k: job k's losses, contiguous
                losses = []
                for job in _reporting(jobs):
                    job.step_point(per_job[job.index], epoch, step)
                if not _hand_over_done(jobs, params, on_end):
                    return
        with torch.no_grad():  # every job's outputs at once, each measured on its own
            logits = predict(params, x_train), predict(params, x_val)
            grid_logits = (predict(params, grids) if grids is not None
                           and is_snapshot_epoch(epoch, optim.epochs) else None)
        for job in _reporting(jobs):
            k = job.index
            job.end_epoch(epoch, step, lrs[k], (logits[0][k], logits[1][k]),
                          None if grid_logits is None else grid_logits[k])
        if not _hand_over_done(jobs, params, on_end):
            return
    for job in _reporting(jobs):
        _unstack(params, job)  # its final measurements need the model itself
        job.finish(epoch)
        _hand_over(job, params, on_end)


def _reporting(jobs: list[PackedJob]) -> list[PackedJob]:
    return [job for job in jobs if job.reporting]


def _hand_over_done(jobs: list[PackedJob], params: Params, on_end: EndCallback) -> bool:
    """Hand over the jobs that stopped or diverged; False once none is left reporting."""
    for job in jobs:
        if not job.reporting and not job.handed_over:
            _hand_over(job, params, on_end)
    return any(job.reporting for job in jobs)


def _hand_over(job: PackedJob, params: Params, on_end: EndCallback) -> None:
    _unstack(params, job)
    job.result.model.eval()
    job.handed_over = True
    on_end(job.index, job.result)


def _packed_predictor(model: nn.Module) -> Predictor:
    """(stacked params, stacked inputs) -> stacked logits: torch.func's model-ensembling
    recipe, over a parameterless copy of the architecture on the meta device."""
    base = copy.deepcopy(model).to("meta")

    def predict_one(params: Params, x: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = functional_call(base, params, (x,))
        return logits

    return torch.vmap(predict_one)


def _step(predict: Predictor, params: Params, optimizer: PackedOptimizer, lrs: list[float],
          x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
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


def _unstack(params: Params, job: PackedJob) -> None:
    """Copy the job's slice of the stacked parameters into its own model."""
    with torch.no_grad():
        for name, parameter in job.result.model.named_parameters():
            parameter.copy_(params[name][job.index])
