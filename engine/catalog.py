"""What the engine can build, by name.

Kept free of torch and scikit-learn so that validating a config (in the web process)
does not pay for importing them; the modules that build things are tested to cover
exactly these names.
"""

MODEL_KINDS = ("mlp", "cnn", "rnn", "autoencoder", "gan", "vae", "transformer")

ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh", "gelu", "linear")

# How an MLP's Linear layers are drawn before training (models.initialize_weights).
WEIGHT_INITS = ("default", "xavier", "he", "normal")

OPTIMIZERS = ("sgd", "momentum", "adam", "adamw", "rmsprop")

SCHEDULES = ("constant", "step", "cosine")

RNN_CELLS = ("rnn", "lstm", "gru")

# How a transformer tells positions apart: fixed sines and cosines, or a learned vector each.
POSITIONAL_ENCODINGS = ("sinusoidal", "learned")

REWEIGHTS = ("none", "group_label")

# Class weights in the classifier's loss: "balanced" weighs class k by n / (K * n_k).
CLASS_WEIGHTS = ("none", "balanced")

# Two-class point clouds that data.minority_fraction can make imbalanced (class 1 rare).
IMBALANCEABLE_DATASETS = ("moons", "circles", "xor")

# How a trained classifier's decision is attributed to its input features (attribution.py).
ATTRIBUTION_METHODS = ("saliency", "integrated_gradients", "kernel_shap", "lime")

# The characters of the text corpus, in class order: everything else is dropped on loading.
TEXT_ALPHABET = " abcdefghijklmnopqrstuvwxyz.,'"

MIXTURE_MODES = 8

# The logic dataset's gates: the truth table of each, for the corners (0, 0), (0, 1), (1, 0)
# and (1, 1) in that order.
LOGIC_GATES: dict[str, tuple[int, int, int, int]] = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "xor": (0, 1, 1, 0),
}

DATASET_CLASSES: dict[str, tuple[str, ...]] = {
    "moons": ("upper moon", "lower moon"),
    "circles": ("outer circle", "inner circle"),
    "spiral": ("arm 1", "arm 2", "arm 3"),
    "xor": ("opposite signs", "same sign"),
    "gaussians": ("blob 1", "blob 2", "blob 3", "blob 4"),
    "digits": tuple(str(digit) for digit in range(10)),
    # Halves of digits, for transfer learning from one to the other.
    "digits_0_4": tuple(str(digit) for digit in range(5)),
    "digits_5_9": tuple(str(digit) for digit in range(5, 10)),
    "shapes": ("circle", "square", "triangle"),
    # The classes of next-character prediction: the space is shown as "␣".
    "text": tuple("␣" if char == " " else char for char in TEXT_ALPHABET),
    "series": (),  # forecasting a number: no classes
    "mixture": tuple(f"mode {mode}" for mode in range(1, MIXTURE_MODES + 1)),
    "hiring": ("not hired", "hired"),
    "logic": ("false", "true"),
}

# Images are passed flat; a convolutional model sees them in this (height, width).
IMAGE_SHAPES = {"digits": (8, 8), "digits_0_4": (8, 8), "digits_5_9": (8, 8), "shapes": (28, 28)}

# scikit-learn's digits and the halves of it: the dataset name -> the digits it keeps.
DIGIT_DATASETS = {
    "digits": tuple(range(10)),
    "digits_0_4": tuple(range(5)),
    "digits_5_9": tuple(range(5, 10)),
}

# Split in time order (the validation part comes after the training part), not stratified.
SEQUENCE_DATASETS = ("series", "text")

# Datasets loaded from a file have a fixed size; n_samples can only pick a subset of it.
DATASET_AVAILABLE_SAMPLES = {"digits": 1797, "digits_0_4": 901, "digits_5_9": 896}

# Tabular datasets whose samples belong to a group (hiring.py): they report fairness
# metrics per group and can be reweighted by (group, label).
GROUPED_DATASETS = ("hiring",)
GROUPS = ("A", "B")
# The hiring set's numeric features, in column order; the group (0 for A, 1 for B) is
# appended as a last column when data.use_group_feature is true.
HIRING_FEATURES = ("test_score", "interview", "experience", "postcode")

# Which datasets each kind of model can learn from.
KIND_DATASETS: dict[str, tuple[str, ...]] = {
    "mlp": (
        "moons", "circles", "spiral", "xor", "gaussians", "digits", "digits_0_4", "digits_5_9",
        "shapes", "hiring", "logic",
    ),
    "cnn": ("digits", "digits_0_4", "digits_5_9", "shapes"),
    "rnn": ("series", "text"),
    "autoencoder": ("digits",),
    "gan": ("mixture", "digits"),
    "vae": ("digits",),
    "transformer": ("text",),
}

# Kinds whose models classify, and so report accuracy, F1 and confusion matrices; with
# "rnn", only on text; "transformer" predicts characters too (is_classification) but, like
# "rnn", has no cross-validation or test set.
CLASSIFIER_KINDS = ("mlp", "cnn")

# Kinds whose layers a new job can start from (transfer learning): the layers below the
# output layer carry over, the output layer is new.
TRANSFER_KINDS = ("mlp", "cnn")

# The platform's standard base models, built on each server by `manage.py
# build_base_models`, by name: what a lab can name as `transfer.base_name`.
STANDARD_BASES: dict[str, dict[str, object]] = {
    "digits-0-4-mlp": {
        "description": "An MLP (64-32) trained on the digits 0 to 4.",
        "config": {
            "model": {"kind": "mlp", "hidden": [64, 32], "activation": "relu"},
            "data": {"name": "digits_0_4", "n_samples": 901, "val_fraction": 0.2, "seed": 0},
            "optim": {"name": "adam", "lr": 0.005, "batch_size": 32, "epochs": 30},
        },
    },
    "digits-0-4-cnn": {
        "description": "A CNN (16 and 32 channels, batch normalization) trained on the "
        "digits 0 to 4.",
        "config": {
            "model": {"kind": "cnn", "channels": [16, 32], "kernel_size": 3, "batch_norm": True},
            "data": {"name": "digits_0_4", "n_samples": 901, "val_fraction": 0.2, "seed": 0},
            "optim": {"name": "adam", "lr": 0.005, "batch_size": 32, "epochs": 20},
        },
    },
    "digits-cnn": {
        "description": "A CNN (8 and 16 channels) trained on all ten digits: a base for "
        "other image tasks such as the shapes.",
        "config": {
            "model": {"kind": "cnn", "channels": [8, 16], "kernel_size": 3},
            "data": {"name": "digits", "n_samples": 1797, "val_fraction": 0.2, "seed": 0},
            "optim": {"name": "adam", "lr": 0.005, "batch_size": 32, "epochs": 20},
        },
    },
}


def is_classification(kind: str, dataset: str) -> bool:
    return kind in CLASSIFIER_KINDS or kind == "transformer" or (
        kind == "rnn" and dataset == "text"
    )


def n_input_features(dataset: str, use_group_feature: bool = True) -> int:
    """Numbers per sample as the models see them: pixels for images, 2 for point clouds,
    the hiring set's features (and its group column when the model may read it)."""
    if dataset in GROUPED_DATASETS:
        return len(HIRING_FEATURES) + int(use_group_feature)
    if dataset in IMAGE_SHAPES:
        height, width = IMAGE_SHAPES[dataset]
        return height * width
    return 1 if dataset in SEQUENCE_DATASETS else 2
