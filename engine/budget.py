"""How big and how slow a run will be, computed from its config alone (no torch).

`count_parameters` mirrors the layers `models` builds (a test checks they agree for every
kind); `estimate_seconds` is a cost model fitted to measurements on the 2-core CPU the
workers run on, with some slack for a busy machine. Both let `parse_config` refuse a run
that could not finish in time, before it is queued.
"""

import math
from dataclasses import dataclass

from engine.catalog import (
    DATASET_CLASSES,
    IMAGE_SHAPES,
    TEXT_ALPHABET,
    n_input_features,
)
from engine.config import CnnConfig, DataConfig, TransformerConfig

# A run is refused when its estimate exceeds MAX_ESTIMATED_SECONDS; so is one whose single
# optimizer step or whose per-epoch measurement would keep the loop from answering a cancel
# for longer than MAX_STEP_SECONDS or MAX_EVALUATION_SECONDS.
MAX_ESTIMATED_SECONDS = 120
MAX_STEP_SECONDS = 1.0
MAX_EVALUATION_SECONDS = 3.0
MAX_PARAMETERS = 1_000_000

# Characters are embedded in this many dimensions before the recurrent layers.
TEXT_EMBEDDING_DIM = 16

RNN_GATES = {"rnn": 1, "gru": 3, "lstm": 4}

# The cost model, in seconds on one thread (training.TRAINING_THREADS) of the workers' CPU,
# 2 cores shared with other jobs. Checked on 70 configs of every kind, three epochs each,
# measured while other jobs ran: they took a median 0.48 and at most 1.4 times the
# estimate; four runs built to sit just under the cap took 29 to 106 s.
STEP_SECONDS = 3e-4  # loss, backward and update, whatever the model
LAYER_CALL_SECONDS = 1e-4  # per layer with weights a step runs through
PARAMETER_STEP_SECONDS = 8e-9  # per parameter per step: the optimizer's update
DENSE_MACS_PER_SECOND = 1.0e10  # multiply-accumulates of fully connected layers
CONV_MACS_PER_SECOND = 1.5e10
# The gates of a whole batch make large products; torch's LSTM is the best tuned.
RECURRENT_MACS_PER_SECOND = {"lstm": 4e10, "gru": 2e10, "rnn": 2e10}
EVAL_SPEEDUP = 2  # measuring runs in chunks of 500 samples, with no backward pass to keep
CONV_ACTIVATION_SECONDS = 1e-8  # per value of a convolution's output maps, per pass
RECURRENT_STEP_SECONDS = 2.5e-4  # one time step of one recurrent layer in one step
RECURRENT_EVAL_SECONDS = 5e-4  # the same when measuring, per chunk of 500 windows
EVAL_CHUNK = 500
EPOCH_SECONDS = 0.01  # the epoch's events and pictures
SETUP_SECONDS = 0.1
SHAPES_SECONDS_PER_IMAGE = 6e-5  # drawing the shapes dataset
TEXT_SAMPLE_CALLS = 160  # characters per text sample, one forward pass each
SNAPSHOTS = 20
# A transformer step runs many small operations (per block: two LayerNorms, four Linear
# layers, scores, mask, softmax, weighted sum, GELU, residual additions, and their
# backward passes) whose call overhead dominates at these sizes; measured on the workers'
# CPU with d_model 16 to 128, under load, these keep the estimate above the real time.
TRANSFORMER_BLOCK_CALLS = 50
TRANSFORMER_MACS_PER_SECOND = 4e9
# Data augmentation (engine.augment) of one training batch: drawing the poses, then the
# rotation's grid sampling and the shift's gather. Measured on one thread at 1.1e-4 s for
# a batch of 1 and 6.7e-4 s for 512 images, doubled for a busy machine.
AUGMENT_STEP_SECONDS = 2.2e-4
AUGMENT_IMAGE_SECONDS = 2.2e-6


def count_parameters(model, data) -> int:
    """Trainable parameters of the model `models.build_model` builds for these configs."""
    if model.kind == "transformer":
        return _transformer_parameters(model, data)
    return sum(_dense_parameters(a, b) for a, b in _dense_layers(model, data)) + sum(
        _extra_parameters(model, data)
    )


def forward_macs(model, data) -> int:
    """Multiply-accumulates of one forward pass of one sample (for a transformer, the
    training pass, which predicts after every position of the window)."""
    if model.kind == "transformer":
        return _transformer_macs(model, data)
    macs = sum(a * b for a, b in _dense_layers(model, data))
    if model.kind == "cnn":
        macs += sum(
            side * side * c_in * c_out * kernel**2
            for c_in, c_out, kernel, side in _conv_layers(model, data)
        )
    elif model.kind == "rnn":
        gates = RNN_GATES[model.cell]
        macs += data.window * sum(
            gates * model.hidden_size * (n_in + model.hidden_size)
            for n_in in _rnn_inputs(model, data)
        )
    return macs


def estimate_seconds(config, n_train: int, n_val: int) -> float:
    """Seconds the whole run is expected to take on the workers' CPU."""
    model, data, optim = config.model, config.data, config.optim
    steps = math.ceil(n_train / batch_size(config, n_train))
    macs = forward_macs(model, data)
    rate = _macs_per_second(model)
    # A GAN step runs the discriminator on real and generated samples, then the generator
    # through it: about five forward passes' work per training sample, and no re-measuring.
    passes = 5 * n_train + n_val if model.kind == "gan" else 4 * n_train + n_val
    sequential = data.window * model.num_layers if model.kind == "rnn" else 0
    per_epoch = (
        steps * step_seconds(config, 0)
        + (n_train * AUGMENT_IMAGE_SECONDS if _augments(data) else 0.0)
        + passes * (macs / rate + _activations(model, data) * CONV_ACTIVATION_SECONDS)
        + math.ceil((n_train + n_val) / EVAL_CHUNK) * sequential * RECURRENT_EVAL_SECONDS
        + EPOCH_SECONDS
    )
    snapshots = min(optim.epochs, SNAPSHOTS) * _snapshot_seconds(config)
    setup = SETUP_SECONDS + (SHAPES_SECONDS_PER_IMAGE * data.n_samples if data.name == "shapes"
                             else 0)
    runs = max(1, config.eval.cv_folds)
    return setup + runs * (optim.epochs * per_epoch + snapshots)


def step_seconds(config, batch: int) -> float:
    """One optimizer step on `batch` samples (0: leave out the work that grows with it)."""
    model = config.model
    calls = _layer_calls(model) * (2 if model.kind == "gan" else 1)
    sequential = config.data.window * model.num_layers if model.kind == "rnn" else 0
    rate = _macs_per_second(model)
    return (
        STEP_SECONDS
        + calls * LAYER_CALL_SECONDS
        + count_parameters(model, config.data) * PARAMETER_STEP_SECONDS
        + sequential * RECURRENT_STEP_SECONDS
        + _augment_seconds(config.data, batch)
        + (5 if model.kind == "gan" else 3) * batch * (
            forward_macs(model, config.data) / rate
            + _activations(model, config.data) * CONV_ACTIVATION_SECONDS
        )
    )


def _augments(data: DataConfig) -> bool:
    return bool(data.augment_shift or data.augment_rotation_deg)


def _augment_seconds(data: DataConfig, batch: int) -> float:
    """Augmenting one training batch of `batch` images (0: only the fixed cost)."""
    return AUGMENT_STEP_SECONDS + batch * AUGMENT_IMAGE_SECONDS if _augments(data) else 0.0


def evaluation_seconds(config, n_train: int, n_val: int) -> float:
    """Measuring the model on every training and validation sample, once per epoch."""
    model = config.model
    rate = _macs_per_second(model)
    sequential = config.data.window * model.num_layers if model.kind == "rnn" else 0
    per_sample = (
        forward_macs(model, config.data) / (rate * EVAL_SPEEDUP)
        + _activations(model, config.data) * CONV_ACTIVATION_SECONDS
    )
    return (
        (n_train + n_val) * per_sample
        + math.ceil((n_train + n_val) / EVAL_CHUNK) * sequential * RECURRENT_EVAL_SECONDS
        + _snapshot_seconds(config)
    )


def _transformer_macs(model: TransformerConfig, data: DataConfig) -> int:
    """Per block, the Linear layers (query-key-value 3d², output d², MLP 2·4d²) at every
    position, plus the attention scores and weighted sums, t² · d each; then the output
    layer at every position."""
    width, length = model.d_model, data.window
    per_block = length * 12 * width * width + 2 * length * length * width
    return model.num_layers * per_block + length * width * len(TEXT_ALPHABET)


def _transformer_parameters(model: TransformerConfig, data: DataConfig) -> int:
    """Mirrors transformer.TransformerNet: embeddings, blocks (two LayerNorms, the
    attention's two Linear layers, the MLP's two), the final LayerNorm and the head."""
    width, vocabulary = model.d_model, len(TEXT_ALPHABET)
    block = 2 * (2 * width) + (3 * width * width + 3 * width) + (width * width + width) + (
        4 * width * width + 4 * width) + (4 * width * width + width)
    positions = data.window * width if model.positional == "learned" else 0
    return (vocabulary * width + positions + model.num_layers * block + 2 * width
            + width * vocabulary + vocabulary)


def _macs_per_second(model) -> float:
    if model.kind == "cnn":
        return CONV_MACS_PER_SECOND
    if model.kind == "transformer":
        return TRANSFORMER_MACS_PER_SECOND
    return RECURRENT_MACS_PER_SECOND[model.cell] if model.kind == "rnn" else DENSE_MACS_PER_SECOND


def batch_size(config, n_train: int) -> int:
    size = config.optim.batch_size
    return n_train if size == "full" else min(size, n_train)


def _snapshot_seconds(config) -> float:
    """The pictures of one snapshot epoch; only writing text costs noticeably."""
    model, data = config.model, config.data
    if model.kind == "transformer":
        per_call = STEP_SECONDS + _layer_calls(model) * LAYER_CALL_SECONDS / 2
        return TEXT_SAMPLE_CALLS * per_call
    if model.kind != "rnn" or data.name != "text":
        return 0.0
    per_call = STEP_SECONDS + data.window * model.num_layers * RECURRENT_STEP_SECONDS / 4
    return TEXT_SAMPLE_CALLS * per_call


def _n_outputs(model, data) -> int:
    if model.kind == "rnn":
        return len(TEXT_ALPHABET) if data.name == "text" else 1
    return len(DATASET_CLASSES[data.name])


def _dense_layers(model, data) -> list[tuple[int, int]]:
    """(inputs, outputs) of every fully connected layer."""
    n_in = n_input_features(data.name, data.use_group_feature)
    if model.kind == "mlp":
        return _chain([n_in, *model.hidden, _n_outputs(model, data)])
    if model.kind == "cnn":
        last = cnn_stages(model, data)[-1]
        return [(last.c_out * last.pooled_side**2, _n_outputs(model, data))]
    if model.kind == "rnn":
        return [(model.hidden_size, _n_outputs(model, data))]
    if model.kind == "autoencoder":
        encoder = _chain([n_in, *model.hidden, model.latent_dim])
        return encoder + [(b, a) for a, b in reversed(encoder)]
    if model.kind == "vae":
        # The encoder's last layer gives a mean and a log-variance per latent dimension.
        encoder = _chain([n_in, *model.hidden, 2 * model.latent_dim])
        return encoder + _chain([model.latent_dim, *reversed(model.hidden), n_in])
    # gan: the generator maps noise to a sample, the discriminator (mirrored) a sample to 1.
    generator = _chain([model.latent_dim, *model.hidden, n_in])
    discriminator = _chain([n_in, *reversed(model.hidden), 1])
    return generator + discriminator


@dataclass(frozen=True)
class CnnStage:
    """One entry of model.channels: a convolution layer or a residual block, then pooling."""

    c_in: int
    c_out: int
    side: int  # of the maps it reads
    stride: int  # of its (first) convolution: 2 only while the maps stay 2 pixels wide
    out_side: int  # of the maps its convolutions write
    pooled_side: int  # after the 2x2 max-pooling, if any


def cnn_stages(model: CnnConfig, data: DataConfig) -> list[CnnStage]:
    """The stages `models.ConvNet` builds for these configs, input to output."""
    side = IMAGE_SHAPES[data.name][0]
    stages, c_in = [], 1
    for c_out in model.channels:
        stride = 2 if model.stride == 2 and (side + 1) // 2 >= 2 else 1
        out_side = (side + 1) // 2 if stride == 2 else side
        pooled_side = _pooled(out_side) if model.pool else out_side
        stages.append(CnnStage(c_in, c_out, side, stride, out_side, pooled_side))
        c_in, side = c_out, pooled_side
    return stages


def _conv_layers(model: CnnConfig, data: DataConfig) -> list[tuple[int, int, int, int]]:
    """(in channels, out channels, kernel side, output map side) of every convolution,
    with a residual block's second convolution and 1x1 projection."""
    k = model.kernel_size
    layers = []
    for stage in cnn_stages(model, data):
        layers.append((stage.c_in, stage.c_out, k, stage.out_side))
        if model.residual:
            layers.append((stage.c_out, stage.c_out, k, stage.out_side))
            if stage.c_in != stage.c_out or stage.stride != 1:
                layers.append((stage.c_in, stage.c_out, 1, stage.out_side))
    return layers


def _activations(model, data) -> int:
    """Values in the output maps of every convolution, per sample (0 for other kinds)."""
    if model.kind != "cnn":
        return 0
    return sum(c_out * side * side for _, c_out, _, side in _conv_layers(model, data))


def _pooled(side: int) -> int:
    """Side after 2x2 pooling, which is skipped once the maps would shrink below 2."""
    return side // 2 if side // 2 >= 2 else side


def _rnn_inputs(model, data) -> list[int]:
    first = TEXT_EMBEDDING_DIM if data.name == "text" else 1
    return [first] + [model.hidden_size] * (model.num_layers - 1)


def _extra_parameters(model, data) -> list[int]:
    """Parameters outside the fully connected layers."""
    if model.kind == "mlp":
        normalized = model.batch_norm or model.layer_norm  # a γ and a β per unit either way
        return [2 * units for units in model.hidden] if normalized else []
    if model.kind == "cnn":
        layers = _conv_layers(model, data)
        convs = [c_in * c_out * kernel**2 + c_out for c_in, c_out, kernel, _ in layers]
        # Every convolution is followed by its own batch norm (2 parameters per channel).
        norms = [2 * c_out for _, c_out, _, _ in layers] if model.batch_norm else []
        return convs + norms
    if model.kind == "rnn":
        gates, units = RNN_GATES[model.cell], model.hidden_size
        recurrent = [gates * units * (n_in + units) + 2 * gates * units
                     for n_in in _rnn_inputs(model, data)]
        embedding = [len(TEXT_ALPHABET) * TEXT_EMBEDDING_DIM] if data.name == "text" else []
        return recurrent + embedding
    return []


def _layer_calls(model) -> int:
    """Layers with weights that one forward pass runs through (recurrent ones excluded)."""
    if model.kind == "mlp":
        return len(model.hidden) + 1
    if model.kind == "cnn":
        # Convolution, activation and pooling each cost; a residual block has two of the
        # first two, the sum and (often) a projection.
        return (6 if model.residual else 3) * len(model.channels) + 1
    if model.kind == "rnn":
        return 2
    if model.kind in ("autoencoder", "vae"):
        return 2 * (len(model.hidden) + 1)
    if model.kind == "transformer":
        # Then embeddings, positions, final norm and head.
        blocks: int = model.num_layers
        return TRANSFORMER_BLOCK_CALLS * blocks + 4
    return 2 * (len(model.hidden) + 1)  # gan: generator and discriminator


def _chain(widths: list[int]) -> list[tuple[int, int]]:
    return list(zip(widths, widths[1:], strict=False))


def _dense_parameters(n_in: int, n_out: int) -> int:
    return n_in * n_out + n_out
