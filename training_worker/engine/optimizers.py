"""Optimizer builders, keyed by `optim.name`."""

from collections.abc import Callable, Iterable

import torch

from training_worker.engine.config import OptimConfig

OptimizerBuilder = Callable[[Iterable[torch.nn.Parameter], OptimConfig], torch.optim.Optimizer]

OPTIMIZER_REGISTRY: dict[str, OptimizerBuilder] = {
    "sgd": lambda params, cfg: torch.optim.SGD(params, lr=cfg.lr),
    "momentum": lambda params, cfg: torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum),
    "adam": lambda params, cfg: torch.optim.Adam(params, lr=cfg.lr),
}


def build_optimizer(
    cfg: OptimConfig, params: Iterable[torch.nn.Parameter]
) -> torch.optim.Optimizer:
    return OPTIMIZER_REGISTRY[cfg.name](params, cfg)
