"""Optimizer builders, keyed by `optim.name`, and the learning-rate schedules."""

import math
from collections.abc import Callable, Iterable

import torch

from engine.config import OptimConfig

OptimizerBuilder = Callable[[Iterable[torch.nn.Parameter], OptimConfig], torch.optim.Optimizer]

# weight_decay is the plain L2 penalty added to the gradient ("coupled": for adam it then
# passes through the adaptive scaling, so it is not w <- (1 - lr*lambda) w), except for
# adamw, whose decay is decoupled: each step first multiplies the weights by
# (1 - lr * weight_decay), then takes adam's step on the bare gradient (Loshchilov & Hutter).
OPTIMIZER_REGISTRY: dict[str, OptimizerBuilder] = {
    "sgd": lambda params, cfg: torch.optim.SGD(params, lr=cfg.lr, weight_decay=cfg.weight_decay),
    "momentum": lambda params, cfg: torch.optim.SGD(
        params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay
    ),
    "adam": lambda params, cfg: torch.optim.Adam(
        params, lr=cfg.lr, weight_decay=cfg.weight_decay
    ),
    "adamw": lambda params, cfg: torch.optim.AdamW(
        params, lr=cfg.lr, weight_decay=cfg.weight_decay
    ),
    "rmsprop": lambda params, cfg: torch.optim.RMSprop(
        params, lr=cfg.lr, weight_decay=cfg.weight_decay
    ),
}


def build_optimizer(
    cfg: OptimConfig, params: Iterable[torch.nn.Parameter]
) -> torch.optim.Optimizer:
    return OPTIMIZER_REGISTRY[cfg.name](params, cfg)


def clip_and_step(optimizer: torch.optim.Optimizer, max_norm: float) -> None:
    """One optimizer step; first, when max_norm is set (optim.clip_grad_norm > 0), the
    gradients of the optimizer's parameters, taken together as one vector, are scaled down
    to at most that norm, so the step keeps its direction but not an exploded length."""
    if max_norm:
        parameters = [p for group in optimizer.param_groups for p in group["params"]]
        torch.nn.utils.clip_grad_norm_(parameters, max_norm)
    optimizer.step()


def learning_rate(cfg: OptimConfig, epoch: int) -> float:
    """The learning rate of epoch `epoch` (1-based) under the configured warmup and schedule.

    Warmup ramps linearly: epoch e <= W (W = warmup_epochs) trains with lr * e / (W + 1), so
    the ramp reaches lr at epoch W + 1. The schedule then runs over the remaining epochs as
    if they were the whole run. Without warmup these are the values of torch's
    StepLR(step_size, gamma) and CosineAnnealingLR(T_max=epochs) stepped once per epoch;
    with it, SequentialLR of LinearLR(1 / (W + 1), 1, total_iters=W) and that schedule.
    Computed in closed form so that nothing accumulates rounding.
    """
    warmup = cfg.warmup_epochs
    if epoch <= warmup:
        return cfg.lr * epoch / (warmup + 1)
    epoch, epochs = epoch - warmup, cfg.epochs - warmup
    if cfg.schedule == "step":
        return cfg.lr * cfg.gamma ** ((epoch - 1) // cfg.step_size)
    if cfg.schedule == "cosine":
        return cfg.lr * (1 + math.cos(math.pi * (epoch - 1) / epochs)) / 2
    return cfg.lr


def set_learning_rate(optimizer: torch.optim.Optimizer, lr: float) -> None:
    for group in optimizer.param_groups:
        group["lr"] = lr
