"""The optimizers of packed training (engine/packed.py): torch.optim's update rules over
parameters stacked along a leading job dimension, each job with its own hyperparameters."""

import torch
from torch import Tensor

from engine.config import TrainConfig

# Parameter (or gradient) name -> the jobs' tensors stacked along dimension 0.
Params = dict[str, torch.Tensor]

# torch.optim's defaults, which optimizers.py leaves as they are.
ADAM_BETAS, ADAM_EPS = (0.9, 0.999), 1e-8
RMSPROP_ALPHA, RMSPROP_EPS = 0.99, 1e-8


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

    def __init__(self, configs: list[TrainConfig], params: Params) -> None:
        optims = [config.optim for config in configs]
        self.name = optims[0].name
        self.weight_decays = [optim.weight_decay for optim in optims]
        self.weight_decay = torch.tensor(self.weight_decays)
        self.decays = any(self.weight_decays)  # torch skips 0 exactly
        self.decoupled = self.name == "adamw"
        self.momentum = torch.tensor([optim.momentum for optim in optims])
        self.state: dict[str, Params] = {name: {} for name in params}
        self.steps = 0

    def step(self, params: Params, grads: Params, lrs: list[float]) -> None:
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

    def _sgd(self, param: Tensor, state: Params, grad: Tensor, lrs: list[float]) -> None:
        param.addcmul_(grad, _per_job(-torch.tensor(lrs), grad))

    def _momentum(self, param: Tensor, state: Params, grad: Tensor, lrs: list[float]) -> None:
        if "buffer" not in state:
            state["buffer"] = grad.clone()  # torch's first step: the buffer is the gradient
        else:
            state["buffer"].mul_(_per_job(self.momentum, grad)).add_(grad)
        self._sgd(param, state, state["buffer"], lrs)

    def _adam(self, param: Tensor, state: Params, grad: Tensor, lrs: list[float]) -> None:
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

    def _rmsprop(self, param: Tensor, state: Params, grad: Tensor, lrs: list[float]) -> None:
        if not state:
            state["square_avg"] = torch.zeros_like(grad)
        square_avg = state["square_avg"]
        square_avg.mul_(RMSPROP_ALPHA).addcmul_(grad, grad, value=1 - RMSPROP_ALPHA)
        average = square_avg.sqrt().add_(RMSPROP_EPS)
        param.addcdiv_(_per_job(-torch.tensor(lrs), grad) * grad, average)


def _per_job(values: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """A (K,) tensor shaped to broadcast over stacked tensors like `like` (K, ...)."""
    return values.to(like.dtype).view(-1, *[1] * (like.dim() - 1))
