"""Model builders, keyed by `model.kind`; each maps (config, inputs, classes) to logits."""

from collections.abc import Callable

from torch import nn

from training_worker.engine.config import ModelConfig

ModelBuilder = Callable[[ModelConfig, int, int], nn.Module]

ACTIVATION_LAYERS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "gelu": nn.GELU,
    "linear": nn.Identity,
}


def build_mlp(cfg: ModelConfig, n_features: int, n_classes: int) -> nn.Sequential:
    """Linear -> activation for each hidden layer, then a Linear layer to the class logits."""
    layers: list[nn.Module] = []
    width = n_features
    for units in cfg.hidden:
        layers += [nn.Linear(width, units), ACTIVATION_LAYERS[cfg.activation]()]
        width = units
    layers.append(nn.Linear(width, n_classes))
    return nn.Sequential(*layers)


MODEL_REGISTRY: dict[str, ModelBuilder] = {"mlp": build_mlp}


def build_model(cfg: ModelConfig, n_features: int, n_classes: int) -> nn.Module:
    return MODEL_REGISTRY[cfg.kind](cfg, n_features, n_classes)


def count_parameters(model: nn.Module) -> int:
    return sum(parameter.numel() for parameter in model.parameters() if parameter.requires_grad)
