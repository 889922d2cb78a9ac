"""A run's config as a readable, runnable plain-PyTorch script ("Show the PyTorch code").

Covers MLP classifiers on the 2-D point clouds and on digits, and CNNs on digits: the
script builds the same layers, optimizer, schedule and loop as the engine, and generates
the data the same way in spirit (scikit-learn / numpy from the seed), not bit for bit, so
its numbers differ a little from the run's. Other kinds (rnn, autoencoder, gan, vae) and the
generated image set "shapes" are not covered yet: `pytorch_script` raises NotCovered.
"""

import json
from textwrap import dedent, indent

# Model kind -> the datasets its code is written for.
COVERED = {
    "mlp": ("moons", "circles", "spiral", "xor", "gaussians", "digits"),
    "cnn": ("digits",),
}
DIGITS_SIDE = 8

ACTIVATION_CODE = {
    "relu": "nn.ReLU()",
    "leaky_relu": "nn.LeakyReLU()",
    "sigmoid": "nn.Sigmoid()",
    "tanh": "nn.Tanh()",
    "gelu": "nn.GELU()",
    "linear": "nn.Identity()",
}


class NotCovered(Exception):
    """The config uses a model kind or dataset the generator does not write code for."""


DATA_CODE = {
    "moons": """
        from sklearn.datasets import make_moons
        x, y = make_moons(n_samples=N_SAMPLES, noise=NOISE, random_state=SEED)
    """,
    "circles": """
        from sklearn.datasets import make_circles
        x, y = make_circles(n_samples=N_SAMPLES, noise=NOISE, factor=0.5, random_state=SEED)
    """,
    "spiral": """
        # Three arms winding outwards; the noise blurs each point's angle.
        y = np.arange(N_SAMPLES) % 3
        radius = rng.uniform(0.0, 1.0, N_SAMPLES)
        angle = y * (2 * np.pi / 3) + radius * 4.0 + rng.normal(0.0, NOISE, N_SAMPLES)
        x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    """,
    "xor": """
        # Points in [-1, 1]^2, class 1 where both coordinates have the same sign.
        y = np.arange(N_SAMPLES) % 2
        x_sign = rng.choice([-1.0, 1.0], N_SAMPLES)
        y_sign = np.where(y == 1, x_sign, -x_sign)
        x = rng.uniform(0.0, 1.0, (N_SAMPLES, 2)) * np.stack([x_sign, y_sign], axis=1)
        x = x + rng.normal(0.0, NOISE, x.shape)
    """,
    "gaussians": """
        # Four blobs at the corners of a square.
        centres = np.array([[-1.0, 1.0], [1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])
        y = np.arange(N_SAMPLES) % 4
        x = centres[y] + rng.normal(0.0, NOISE, (N_SAMPLES, 2))
    """,
    "digits": """
        # scikit-learn's 8x8 digits, pixels scaled to [0, 1]; a stratified subset.
        from sklearn.datasets import load_digits
        from sklearn.utils import resample
        digits = load_digits()
        x, y = digits.data / 16.0, digits.target
        if N_SAMPLES < len(y):
            x, y = resample(x, y, replace=False, n_samples=N_SAMPLES, stratify=y,
                            random_state=SEED)
    """,
}

OPTIMIZER_CODE = {
    "sgd": "torch.optim.SGD(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)",
    "momentum": "torch.optim.SGD(model.parameters(), lr=LR, momentum={momentum!r}, "
    "weight_decay=WEIGHT_DECAY)",
    # Adam's weight_decay is an L2 term added to the gradient (coupled); AdamW's is decoupled.
    "adam": "torch.optim.Adam(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)",
    "adamw": "torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)",
    "rmsprop": "torch.optim.RMSprop(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)",
}

SCHEDULE_CODE = {
    "constant": "None  # a constant learning rate",
    "step": "torch.optim.lr_scheduler.StepLR(optimizer, step_size={step_size}, gamma={gamma!r})",
    "cosine": "torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS{minus_warmup})",
}
# Linear warmup: epoch e <= W trains with LR * e / (W + 1), then the schedule runs over the
# remaining epochs (the engine's optimizers.learning_rate).
WARMUP_CODE = """torch.optim.lr_scheduler.SequentialLR(optimizer, [
    torch.optim.lr_scheduler.LinearLR(
        optimizer, start_factor=1 / ({warmup} + 1), total_iters={warmup}),
    {main},
], milestones=[{warmup}])"""
# What the schedule is after the warmup when it is constant (SequentialLR needs a scheduler).
CONSTANT_AFTER_WARMUP = "torch.optim.lr_scheduler.ConstantLR(optimizer, factor=1.0)"


def _schedule_code(optim: dict) -> str:
    name, warmup = optim.get("schedule", "constant"), optim.get("warmup_epochs") or 0
    if not warmup:
        return SCHEDULE_CODE[name].format(
            step_size=optim.get("step_size"), gamma=optim.get("gamma"), minus_warmup=""
        )
    main = CONSTANT_AFTER_WARMUP if name == "constant" else SCHEDULE_CODE[name].format(
        step_size=optim.get("step_size"), gamma=optim.get("gamma"), minus_warmup=f" - {warmup}"
    )
    return WARMUP_CODE.format(warmup=warmup, main=main)


def _config_lines(config: dict) -> str:
    return "\n".join(f"    {section}: {json.dumps(values)}" for section, values in config.items())


def _block(code: str, level: int = 0) -> str:
    return indent(dedent(code).strip("\n"), "    " * level)


def _model_code(model: dict, n_features_expr: str) -> str:
    hidden = model.get("hidden", [])
    activations = model.get("activations") or [model.get("activation", "relu")] * len(hidden)
    lines, width = [], n_features_expr
    for units, activation in zip(hidden, activations, strict=True):
        lines.append(f"nn.Linear({width}, {units}),")
        if model.get("batch_norm"):
            lines.append(f"nn.BatchNorm1d({units}),")
        elif model.get("layer_norm"):
            lines.append(f"nn.LayerNorm({units}),")
        lines.append(f"{ACTIVATION_CODE[activation]},")
        if model.get("dropout"):
            lines.append(f"nn.Dropout({model['dropout']!r}),")
        width = str(units)
    lines.append(f"nn.Linear({width}, N_CLASSES),  # one logit per class")
    return "model = nn.Sequential(\n" + indent("\n".join(lines), "    ") + "\n)"


# model.init -> how the script redraws each Linear layer's weights (biases start at 0).
INIT_CODE = {
    "xavier": "nn.init.xavier_normal_(layer.weight)  # std √(2 / (fan_in + fan_out))",
    "he": 'nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")  # std √(2 / fan_in)',
    "normal": "nn.init.normal_(layer.weight, std={scale!r} / layer.in_features ** 0.5)",
}


def _init_code(model: dict) -> str:
    """The loop that redraws the MLP's weights as model.init says; "" for PyTorch's default."""
    init = model.get("init", "default")
    if init == "default":
        return ""
    line = INIT_CODE[init].format(scale=model.get("init_scale", 1.0))
    return (
        f"\n# Initialization \"{init}\": every Linear layer's weights redrawn, biases at 0.\n"
        "for layer in model:\n"
        "    if isinstance(layer, nn.Linear):\n"
        f"        {line}\n"
        "        nn.init.zeros_(layer.bias)"
    )


def _cnn_code(model: dict) -> str:
    """Conv blocks (conv -> [BatchNorm] -> activation -> [2x2 max-pool]) on the 8x8 digits,
    then Flatten -> [Dropout] -> Linear, as the engine's ConvNet."""
    kernel = model.get("kernel_size", 3)
    lines = [f"nn.Unflatten(1, (1, {DIGITS_SIDE}, {DIGITS_SIDE})),  # flat pixels -> 1x8x8 image"]
    channels, side = 1, DIGITS_SIDE
    for out in model.get("channels", [8, 16]):
        # Stride 2 only while the maps stay at least 2 pixels wide, as the engine does.
        stride = 2 if model.get("stride", 1) == 2 and (side + 1) // 2 >= 2 else 1
        stride_code = f", stride={stride}" if stride != 1 else ""
        lines.append(f"nn.Conv2d({channels}, {out}, kernel_size={kernel}{stride_code}, "
                     f"padding={kernel // 2}),")
        side = (side + 1) // 2 if stride == 2 else side
        if model.get("batch_norm"):
            lines.append(f"nn.BatchNorm2d({out}),")
        lines.append(f"{ACTIVATION_CODE[model.get('activation', 'relu')]},")
        if model.get("pool", True) and side // 2 >= 2:  # stop before the maps go below 2x2
            lines.append(f"nn.MaxPool2d(2),  # {side}x{side} -> {side // 2}x{side // 2}")
            side //= 2
        channels = out
    lines.append("nn.Flatten(),")
    if model.get("dropout"):
        lines.append(f"nn.Dropout({model['dropout']!r}),")
    lines.append(f"nn.Linear({channels * side * side}, N_CLASSES),  # one logit per class")
    return "model = nn.Sequential(\n" + indent("\n".join(lines), "    ") + "\n)"


def pytorch_script(config: dict, *, title: str = "A training run") -> str:
    """The script for `config` (a normalized config, as stored on the job)."""
    model, data, optim = config["model"], config["data"], config["optim"]
    kind = model.get("kind")
    if kind not in COVERED:
        raise NotCovered(
            f'model.kind "{kind}" is not covered yet: the code generator writes '
            f"{' and '.join(kind.upper() for kind in COVERED)} models only."
        )
    if data.get("name") not in COVERED[kind]:
        raise NotCovered(
            f'{kind.upper()} code for the dataset "{data.get("name")}" is not covered yet '
            f"(only {', '.join(COVERED[kind])})."
        )
    if model.get("residual"):
        raise NotCovered(
            "Residual CNNs are not covered yet: their skip connections need a module class "
            "of their own, which the generator does not write."
        )
    if config.get("transfer"):
        raise NotCovered(
            "A transfer-learning run starts from a stored model, which a standalone script "
            "cannot load: download the base's weights from its run instead."
        )
    if data.get("minority_fraction", 0.5) != 0.5 or optim.get("class_weights", "none") != "none":
        raise NotCovered(
            "Imbalanced data (data.minority_fraction) and class weights (optim.class_weights) "
            "are not covered yet: the script would train on balanced data, unweighted."
        )
    if data.get("augment_shift", 0) or data.get("augment_rotation_deg", 0):
        raise NotCovered(
            "Data augmentation (data.augment_shift, data.augment_rotation_deg) is not covered "
            "yet: the script would train on the images as they are."
        )
    if (config.get("eval") or {}).get("cv_folds"):
        cv_note = "# Cross-validation (eval.cv_folds) is not reproduced: one split.\n"
    else:
        cv_note = ""
    batch_size = optim["batch_size"]
    train_size = data.get("train_size", "all")
    schedule = _schedule_code(optim)
    optimizer = OPTIMIZER_CODE[optim["name"]].format(momentum=optim.get("momentum"))
    standardize = data["name"] != "digits"
    test_fraction = data.get("test_fraction") or 0.0
    patience = optim.get("early_stopping_patience") or 0
    restore_best = bool(optim.get("restore_best"))

    parts = [
        f'''"""{title}, as a plain PyTorch script.

Generated by Deep Learning Lessons from the run's config:

{_config_lines(config)}

Needs torch, numpy and scikit-learn. The data is generated as on the platform in spirit
(same kind of data from the same seed), not bit for bit, so the numbers differ a little.
Run it with  python <this file>  (add --epochs 5 for a quick try).
"""

import argparse
import copy

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.model_selection import train_test_split
from torch import nn

SEED = {data["seed"]}
N_SAMPLES = {data["n_samples"]}
NOISE = {data.get("noise", 0.0)!r}
VAL_FRACTION = {data["val_fraction"]!r}
TEST_FRACTION = {test_fraction!r}  # 0: no test set
TRAIN_SIZE = {train_size!r}  # "all", or use only this many training samples
LR = {optim["lr"]!r}
WEIGHT_DECAY = {optim.get("weight_decay", 0.0)!r}
LABEL_SMOOTHING = {optim.get("label_smoothing", 0.0)!r}  # 0: plain cross-entropy targets
BATCH_SIZE = {batch_size!r}  # "full": one step per epoch on the whole training set
EARLY_STOPPING_PATIENCE = {patience}  # 0: off
RESTORE_BEST = {restore_best}  # at the end, put back the weights of the lowest validation loss
CLIP_GRAD_NORM = {optim.get("clip_grad_norm", 0.0)!r}  # 0: off; else the gradient's largest norm

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default={optim["epochs"]})
EPOCHS = parser.parse_args().epochs

torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

# --- data: {data["name"]} -----------------------------------------------------------------
{_block(DATA_CODE[data["name"]])}
if TEST_FRACTION:
    x, x_test, y, y_test = train_test_split(
        x, y, test_size=TEST_FRACTION, stratify=y, random_state=SEED)
x_train, x_val, y_train, y_val = train_test_split(
    x, y, test_size=VAL_FRACTION / (1 - TEST_FRACTION), stratify=y, random_state=SEED)
if TRAIN_SIZE != "all" and TRAIN_SIZE < len(y_train):
    x_train, _, y_train, _ = train_test_split(
        x_train, y_train, train_size=TRAIN_SIZE, stratify=y_train, random_state=SEED)
''',
    ]
    if standardize:
        parts.append("""\
# Standardize with the training set's statistics only: the validation set stays unseen.
mean, std = x_train.mean(axis=0), x_train.std(axis=0)
x_train, x_val = (x_train - mean) / std, (x_val - mean) / std
if TEST_FRACTION:
    x_test = (x_test - mean) / std
""")
    parts.append(f'''\
x_train, x_val = (torch.tensor(a, dtype=torch.float32) for a in (x_train, x_val))
y_train, y_val = (torch.tensor(a, dtype=torch.int64) for a in (y_train, y_val))
N_FEATURES, N_CLASSES = x_train.shape[1], int(y.max()) + 1
n_train = len(y_train)
batch_size = n_train if BATCH_SIZE == "full" else min(BATCH_SIZE, n_train)

# --- model --------------------------------------------------------------------------------
{_model_code(model, "N_FEATURES") + _init_code(model) if kind == "mlp" else _cnn_code(model)}
print(model)
print(f"{{sum(p.numel() for p in model.parameters())}} parameters, {{n_train}} training samples")

# --- optimizer ----------------------------------------------------------------------------
{cv_note}optimizer = {optimizer}
scheduler = {schedule}


@torch.no_grad()
def evaluate(x, y):
    """(mean cross-entropy loss, accuracy) of the model on (x, y)."""
    model.eval()
    logits = model(x)
    return F.cross_entropy(logits, y).item(), (logits.argmax(dim=1) == y).float().mean().item()


# --- training -----------------------------------------------------------------------------
shuffle = torch.Generator().manual_seed(SEED)
best_val_loss, best_val_loss_epoch, best_weights = float("inf"), 0, None
for epoch in range(1, EPOCHS + 1):
    model.train()
    order = torch.randperm(n_train, generator=shuffle)
    for start in range(0, n_train, batch_size):
        batch = order[start:start + batch_size]
        loss = F.cross_entropy(model(x_train[batch]), y_train[batch],
                               label_smoothing=LABEL_SMOOTHING)
        optimizer.zero_grad()
        loss.backward()
        if CLIP_GRAD_NORM:  # scale the whole gradient down to at most this norm
            torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP_GRAD_NORM)
        optimizer.step()
    if scheduler is not None:
        scheduler.step()

    train_loss, train_accuracy = evaluate(x_train, y_train)
    val_loss, val_accuracy = evaluate(x_val, y_val)
    print(f"epoch {{epoch:3d}}  train loss {{train_loss:.4f}}  accuracy {{train_accuracy:.3f}}"
          f"  |  validation loss {{val_loss:.4f}}  accuracy {{val_accuracy:.3f}}")
    if val_loss < best_val_loss:
        best_val_loss, best_val_loss_epoch = val_loss, epoch
        if RESTORE_BEST:
            best_weights = copy.deepcopy(model.state_dict())
    elif EARLY_STOPPING_PATIENCE and epoch - best_val_loss_epoch >= EARLY_STOPPING_PATIENCE:
        print(f"early stop: no better validation loss since epoch {{best_val_loss_epoch}}")
        break

if RESTORE_BEST and best_weights is not None:
    model.load_state_dict(best_weights)
    val_loss, val_accuracy = evaluate(x_val, y_val)
    print(f"restored the weights of epoch {{best_val_loss_epoch}} "
          f"(lowest validation loss {{val_loss:.4f}})")
print(f"final validation accuracy: {{val_accuracy:.4f}}")
if TEST_FRACTION:
    x_test = torch.tensor(x_test, dtype=torch.float32)
    y_test = torch.tensor(y_test, dtype=torch.int64)
    test_loss, test_accuracy = evaluate(x_test, y_test)
    print(f"test accuracy: {{test_accuracy:.4f}}")
''')
    return "\n".join(parts)


def script_filename(config: dict, job_id: int) -> str:
    return f"run_{job_id}_{config['data']['name']}_{config['model']['kind']}.py"
