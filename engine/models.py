"""The model zoo: one builder per `model.kind`, each mapping the configs to an nn.Module.

Classifiers return logits, the series forecaster one number per window, the autoencoder a
reconstruction in [0, 1], the VAE the decoding of its mean code (also in [0, 1]).
`budget.count_parameters` mirrors these layers without torch.
"""

import math
from collections.abc import Callable

import torch
from torch import nn

from engine.budget import TEXT_EMBEDDING_DIM
from engine.catalog import (
    DATASET_CLASSES,
    IMAGE_SHAPES,
    TEXT_ALPHABET,
    n_input_features,
)
from engine.config import (
    AutoencoderConfig,
    CnnConfig,
    DataConfig,
    GanConfig,
    MlpConfig,
    ModelConfig,
    RnnConfig,
    TransformerConfig,
    VaeConfig,
)
from engine.transformer import TransformerNet

ACTIVATION_LAYERS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "gelu": nn.GELU,
    "linear": nn.Identity,
}

RECURRENT_LAYERS: dict[str, type[nn.RNNBase]] = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def build_mlp(cfg: MlpConfig, n_features: int, n_classes: int) -> nn.Sequential:
    """Per hidden layer Linear -> [BatchNorm or LayerNorm] -> activation -> [Dropout]; then
    a Linear layer to the class logits."""
    layers: list[nn.Module] = []
    width = n_features
    for units, activation in zip(cfg.hidden, cfg.layer_activations(), strict=True):
        layers.append(nn.Linear(width, units))
        if cfg.batch_norm:
            layers.append(nn.BatchNorm1d(units))
        elif cfg.layer_norm:
            layers.append(nn.LayerNorm(units))
        layers.append(ACTIVATION_LAYERS[activation]())
        if cfg.dropout:
            layers.append(nn.Dropout(cfg.dropout))
        width = units
    layers.append(nn.Linear(width, n_classes))
    model = nn.Sequential(*layers)
    initialize_weights(model, cfg.init, cfg.init_scale)
    return model


def initialize_weights(model: nn.Module, init: str, scale: float = 1.0) -> None:
    """Redraw every Linear layer's weights as `init` says (see model.init), biases at 0.

    "default" leaves PyTorch's initialization alone, so runs that do not choose keep the
    very weights (and random draws) they always had. The draws come from torch's global
    generator, which the training loop has seeded with data.seed.
    """
    if init == "default":
        return
    for layer in model.modules():
        if not isinstance(layer, nn.Linear):
            continue
        if init == "xavier":
            nn.init.xavier_normal_(layer.weight)
        elif init == "he":
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        else:  # "normal"
            nn.init.normal_(layer.weight, std=scale / math.sqrt(layer.in_features))
        nn.init.zeros_(layer.bias)


def strided(side: int, stride: int) -> int:
    """Stride used at a map of this side: 2 only while the maps stay at least 2 pixels wide
    (8x8 digits: 8 -> 4 -> 2), as pooling does."""
    return 2 if stride == 2 and (side + 1) // 2 >= 2 else 1


class ResidualBlock(nn.Module):
    """conv -> [BatchNorm] -> activation -> conv -> [BatchNorm], plus the block's input, then
    the activation. The input is added as it is (the identity) when it has the output's
    shape; otherwise a 1x1 convolution (-> [BatchNorm]) projects it to the new channels
    and stride. With the branch at zero the block passes its (non-negative) input through."""

    def __init__(self, cfg: CnnConfig, in_channels: int, out_channels: int, stride: int) -> None:
        super().__init__()
        padding = cfg.kernel_size // 2
        branch: list[nn.Module] = [
            nn.Conv2d(in_channels, out_channels, cfg.kernel_size, stride=stride, padding=padding)
        ]
        if cfg.batch_norm:
            branch.append(nn.BatchNorm2d(out_channels))
        branch += [
            ACTIVATION_LAYERS[cfg.activation](),
            nn.Conv2d(out_channels, out_channels, cfg.kernel_size, padding=padding),
        ]
        if cfg.batch_norm:
            branch.append(nn.BatchNorm2d(out_channels))
        self.branch = nn.Sequential(*branch)
        self.skip: nn.Module = nn.Identity()
        if in_channels != out_channels or stride != 1:
            projection: list[nn.Module] = [
                Projection(in_channels, out_channels, 1, stride=stride)
            ]
            if cfg.batch_norm:
                projection.append(nn.BatchNorm2d(out_channels))
            self.skip = nn.Sequential(*projection)
        self.activation = ACTIVATION_LAYERS[cfg.activation]()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        output: torch.Tensor = self.activation(self.branch(x) + self.skip(x))
        return output


class Projection(nn.Conv2d):
    """The 1x1 convolution on a residual block's skip path; its own class so that
    `weight_layers` names it apart from the convolutions of the main path."""


class ConvNet(nn.Module):
    """Convolution blocks (conv -> [BatchNorm] -> activation, or a ResidualBlock; then
    [2x2 max-pool]), then the flattened maps -> [Dropout] -> Linear to the class logits.
    Takes flat images."""

    def __init__(self, cfg: CnnConfig, image_shape: tuple[int, int], n_classes: int) -> None:
        super().__init__()
        self.image_shape = image_shape
        blocks, channels, side = [], 1, image_shape[0]
        for out_channels in cfg.channels:
            stride = strided(side, cfg.stride)
            block: list[nn.Module] = []
            if cfg.residual:
                block.append(ResidualBlock(cfg, channels, out_channels, stride))
            else:
                block.append(nn.Conv2d(channels, out_channels, cfg.kernel_size, stride=stride,
                                       padding=cfg.kernel_size // 2))
                if cfg.batch_norm:
                    block.append(nn.BatchNorm2d(out_channels))
                block.append(ACTIVATION_LAYERS[cfg.activation]())
            side = (side + 1) // 2 if stride == 2 else side
            # Pooling stops before the maps shrink below 2x2 (8x8 digits: 8 -> 4 -> 2).
            if cfg.pool and side // 2 >= 2:
                block.append(nn.MaxPool2d(2))
                side //= 2
            blocks.append(nn.Sequential(*block))
            channels = out_channels
        self.features = nn.Sequential(*blocks)
        head: list[nn.Module] = [nn.Flatten()]
        if cfg.dropout:
            head.append(nn.Dropout(cfg.dropout))
        head.append(nn.Linear(channels * side * side, n_classes))
        self.head = nn.Sequential(*head)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(self.as_images(x)))

    def as_images(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(-1, 1, *self.image_shape)

    @property
    def first_conv(self) -> nn.Conv2d:
        """The convolution that reads the image (a residual block's first, not its skip)."""
        return next(m for m in self.features.modules() if isinstance(m, nn.Conv2d))

    def first_layer_maps(self, x: torch.Tensor) -> torch.Tensor:
        """The first convolution's activations, before pooling (and, in a residual block,
        before the second convolution): (n, channels, height, width)."""
        maps = self.as_images(x)
        first = self.features[0]
        assert isinstance(first, nn.Sequential)  # each block is one
        layers: nn.Sequential = first[0].branch if isinstance(first[0], ResidualBlock) else first
        for index, layer in enumerate(layers):
            if isinstance(layer, nn.MaxPool2d) or (index and isinstance(layer, nn.Conv2d)):
                break
            maps = layer(maps)
        return maps


class RecurrentNet(nn.Module):
    """Reads a window step by step; a Linear layer maps the last state to the output:
    the next value of a series, or the logits of the next character of a text."""

    def __init__(self, cfg: RnnConfig, vocabulary: int | None, n_outputs: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocabulary, TEXT_EMBEDDING_DIM) if vocabulary else None
        self.rnn = RECURRENT_LAYERS[cfg.cell](
            TEXT_EMBEDDING_DIM if vocabulary else 1, cfg.hidden_size, cfg.num_layers,
            batch_first=True,
        )
        self.head = nn.Linear(cfg.hidden_size, n_outputs)
        self.forecasts = vocabulary is None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.embedding is not None:
            x = self.embedding(x)
        states, _ = self.rnn(x)
        output = self.head(states[:, -1])
        return output.squeeze(-1) if self.forecasts else output


def dense_stack(widths: list[int], activation: str) -> nn.Sequential:
    """Linear layers through `widths`, with the activation between them (not after the last)."""
    layers: list[nn.Module] = []
    for index, (n_in, n_out) in enumerate(zip(widths, widths[1:], strict=False)):
        if index:
            layers.append(ACTIVATION_LAYERS[activation]())
        layers.append(nn.Linear(n_in, n_out))
    return nn.Sequential(*layers)


class Autoencoder(nn.Module):
    """Encoder: inputs -> hidden layers -> latent code (linear); decoder: the mirror image,
    ending in a sigmoid since pixels lie in [0, 1]."""

    def __init__(self, cfg: AutoencoderConfig, n_features: int) -> None:
        super().__init__()
        widths = [n_features, *cfg.hidden, cfg.latent_dim]
        self.encoder = dense_stack(widths, cfg.activation)
        self.decoder = nn.Sequential(
            dense_stack(widths[::-1], cfg.activation), nn.Sigmoid()
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


class Gan(nn.Module):
    """A generator from Gaussian noise to samples (through a sigmoid for images) and a
    discriminator from samples to the logit of "real", its layers mirroring the generator's."""

    def __init__(self, cfg: GanConfig, n_features: int, images: bool) -> None:
        super().__init__()
        self.latent_dim = cfg.latent_dim
        generator = dense_stack([cfg.latent_dim, *cfg.hidden, n_features], cfg.activation)
        self.generator = nn.Sequential(generator, nn.Sigmoid()) if images else generator
        self.discriminator = dense_stack([n_features, *reversed(cfg.hidden), 1], cfg.activation)

    def forward(self, noise: torch.Tensor) -> torch.Tensor:
        return self.generator(noise)


class Vae(nn.Module):
    """A variational autoencoder. The encoder maps x to the mean and log-variance of a
    diagonal Gaussian q(z|x); the decoder maps a code z to the logits of one Bernoulli per
    pixel (the logits, not the probabilities, so the loss can use the stable
    binary_cross_entropy_with_logits). Layers as the autoencoder's, except that the
    encoder's last layer is twice as wide: the first latent_dim outputs are the mean."""

    def __init__(self, cfg: VaeConfig, n_features: int) -> None:
        super().__init__()
        self.latent_dim = cfg.latent_dim
        self.encoder = dense_stack([n_features, *cfg.hidden, 2 * cfg.latent_dim], cfg.activation)
        self.decoder = dense_stack(
            [cfg.latent_dim, *reversed(cfg.hidden), n_features], cfg.activation
        )

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The mean and the log-variance of q(z|x), each (n, latent_dim)."""
        mean, log_variance = self.encoder(x).chunk(2, dim=1)
        return mean, log_variance

    def code_means(self, x: torch.Tensor) -> torch.Tensor:
        return self.encode(x)[0]

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Each pixel's probability of being on, in [0, 1]."""
        return torch.sigmoid(self.decoder(z))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # The reconstruction from the mean code: deterministic, for pictures and predictions.
        return self.decode(self.code_means(x))


def _build_mlp(model: MlpConfig, data: DataConfig) -> nn.Module:
    n_features = n_input_features(data.name, data.use_group_feature)
    return build_mlp(model, n_features, len(DATASET_CLASSES[data.name]))


def _build_cnn(model: CnnConfig, data: DataConfig) -> nn.Module:
    return ConvNet(model, IMAGE_SHAPES[data.name], len(DATASET_CLASSES[data.name]))


def _build_rnn(model: RnnConfig, data: DataConfig) -> nn.Module:
    if data.name == "text":
        return RecurrentNet(model, len(TEXT_ALPHABET), len(TEXT_ALPHABET))
    return RecurrentNet(model, None, 1)


def _build_transformer(model: ModelConfig, data: DataConfig) -> nn.Module:
    if not isinstance(model, TransformerConfig):
        raise TypeError(f"a transformer is built from a TransformerConfig, not {model!r}")
    return TransformerNet(model, len(TEXT_ALPHABET), data.window)


def _build_autoencoder(model: AutoencoderConfig, data: DataConfig) -> nn.Module:
    return Autoencoder(model, n_input_features(data.name))


def _build_gan(model: GanConfig, data: DataConfig) -> nn.Module:
    return Gan(model, n_input_features(data.name), images=data.name in IMAGE_SHAPES)


def _build_vae(model: ModelConfig, data: DataConfig) -> nn.Module:
    # Typed as a ModelBuilder (the registry's value type), so it narrows the config itself.
    assert isinstance(model, VaeConfig)
    return Vae(model, n_input_features(data.name))


ModelBuilder = Callable[[ModelConfig, DataConfig], nn.Module]

MODEL_REGISTRY: dict[str, ModelBuilder] = {
    "mlp": _build_mlp,
    "cnn": _build_cnn,
    "rnn": _build_rnn,
    "autoencoder": _build_autoencoder,
    "gan": _build_gan,
    "vae": _build_vae,
    "transformer": _build_transformer,
}


def build_model(model: ModelConfig, data: DataConfig) -> nn.Module:
    """The model for these configs, freshly initialized from torch's global generator."""
    return MODEL_REGISTRY[model.kind](model, data)


def count_parameters(model: nn.Module) -> int:
    return sum(parameter.numel() for parameter in model.parameters() if parameter.requires_grad)


def weight_layers(model: nn.Module) -> list[tuple[str, nn.Parameter]]:
    """(name, weight) of every Linear, convolutional and recurrent layer, input to output:
    "linear1", "conv1", "skip1" (a residual block's 1x1 projection), "lstm1.input"
    (input-to-state weights of layer 1), "lstm1.state"."""
    found: list[tuple[str, nn.Parameter]] = []
    counts: dict[str, int] = {}
    for module in model.modules():
        if isinstance(module, nn.Linear | nn.Conv2d):
            name = ("linear" if isinstance(module, nn.Linear)
                    else "skip" if isinstance(module, Projection) else "conv")
            counts[name] = counts.get(name, 0) + 1
            found.append((f"{name}{counts[name]}", module.weight))
        elif isinstance(module, nn.RNNBase):
            cell = module.mode.lower().replace("rnn_tanh", "rnn")
            for layer in range(module.num_layers):
                found.append((f"{cell}{layer + 1}.input", getattr(module, f"weight_ih_l{layer}")))
                found.append((f"{cell}{layer + 1}.state", getattr(module, f"weight_hh_l{layer}")))
    return found
