"""What the engine can build, by name.

Kept free of torch and scikit-learn so that validating a config (in the web process)
does not pay for importing them; the modules that build things are tested to cover
exactly these names.
"""

MODEL_KINDS = ("mlp",)

ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh", "gelu", "linear")

OPTIMIZERS = ("sgd", "momentum", "adam")

DATASET_CLASSES: dict[str, tuple[str, ...]] = {
    "moons": ("upper moon", "lower moon"),
    "circles": ("outer circle", "inner circle"),
    "spiral": ("arm 1", "arm 2", "arm 3"),
    "xor": ("opposite signs", "same sign"),
    "gaussians": ("blob 1", "blob 2", "blob 3", "blob 4"),
    "digits": tuple(str(digit) for digit in range(10)),
}

# Datasets loaded from a file have a fixed size; n_samples can only pick a subset of it.
DATASET_AVAILABLE_SAMPLES = {"digits": 1797}
