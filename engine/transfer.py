"""Transfer learning: a new model starts from the layers of a trained one.

A model is seen as blocks: for an MLP, each hidden Linear layer with its batch or layer
norm; for a CNN, each convolution block; then the output layer. The new model takes the
base's blocks below the output layer, weights and batch-norm statistics alike; its output
layer is new, since it maps to this task's classes. The first `freeze` blocks keep their
weights (feature extraction); the others are fine-tuned from where the base left them.

Blocks are matched by position and copied module by module, not by state-dict key, so a
base and a new model may differ in what carries no weights (dropout, activation).
"""

from dataclasses import dataclass

import torch
from torch import nn

from engine.config import ALL_LAYERS, TrainConfig
from engine.config_rules import transfer_layers
from engine.models import ConvNet, build_model

WEIGHTED_MODULES = (nn.Linear, nn.Conv2d, nn.modules.batchnorm._BatchNorm, nn.LayerNorm)


@dataclass(frozen=True)
class BaseModel:
    """A trained model to start from: its config and its state dict, as stored."""

    config: TrainConfig
    state_dict: dict[str, torch.Tensor]
    label: str  # how events name it: "job 12", or a standard base's name


def frozen_block_count(config: TrainConfig) -> int:
    freeze = config.transfer.freeze
    return transfer_layers(config.model) if freeze == ALL_LAYERS else freeze


def start_from_base(model: nn.Module, config: TrainConfig, base: BaseModel) -> dict:
    """Copy the base's blocks into `model` and freeze the first ones; returns the INFO
    payload's "transfer" part."""
    base_net = build_model(base.config.model, base.config.data)
    base_net.load_state_dict(base.state_dict)
    ours, theirs = hidden_blocks(model), hidden_blocks(base_net)
    for block, base_block in zip(ours, theirs, strict=True):
        _copy_block(block, base_block)
    n_frozen = frozen_block_count(config)
    for block in ours[:n_frozen]:
        for module in block:
            module.requires_grad_(False)
    model.frozen_modules = [module for block in ours[:n_frozen] for module in block]
    frozen = sum(p.numel() for module in model.frozen_modules for p in module.parameters())
    return {
        "base": base.label,
        "base_dataset": base.config.data.name,
        "layers_copied": len(ours),
        "layers_frozen": n_frozen,
        "frozen_params": frozen,
    }


def keep_frozen_in_eval(model: nn.Module) -> None:
    """Called after model.train(): frozen batch norms keep the base's statistics."""
    for module in getattr(model, "frozen_modules", ()):
        module.eval()


def hidden_blocks(model: nn.Module) -> list[list[nn.Module]]:
    """The weighted modules of each block below the output layer, input to output."""
    if isinstance(model, ConvNet):
        return [_weighted(block) for block in model.features]
    blocks: list[list[nn.Module]] = []
    for module in model:
        if isinstance(module, nn.Linear):
            blocks.append([module])
        elif isinstance(module, WEIGHTED_MODULES):
            blocks[-1].append(module)
    return blocks[:-1]  # the last Linear is the output layer


def _weighted(block: nn.Module) -> list[nn.Module]:
    return [module for module in block.modules() if isinstance(module, WEIGHTED_MODULES)]


def _copy_block(block: list[nn.Module], base_block: list[nn.Module]) -> None:
    for module, base_module in zip(block, base_block, strict=True):
        module.load_state_dict(base_module.state_dict())

