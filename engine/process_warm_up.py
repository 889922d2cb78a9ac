"""Paying a process's one-time costs before its first job, not during it.

A worker's first job used to reach its first metric ~10 times later than the next ones
(issue 18): 2 to 4 s of it was `torch.optim.Optimizer.__init__` importing torch._dynamo
(with sympy, ~800 modules) the first time any optimizer is built in a process, and the rest
first calls that fill caches (scikit-learn's input checks, autograd's and Adam's first
step). A worker's parent imports what is only imported (`warm_up_imports`, before it
forks: its children share the modules), and each child trains one tiny model when it starts
(`warm_up_training`): torch computes nothing in the parent, whose children are forked.
"""

import importlib

from engine.config_parsing import parse_config
from engine.datasets import warm_up as warm_up_datasets
from engine.training import train

# Imported lazily by torch on a job's path: the first time a process builds an optimizer
# (torch/_compile.py: ~800 modules, 2 to 4 s), steps it, and saves a model.
LAZY_TORCH_MODULES = ("torch._dynamo", "torch.profiler._cupti_monitor",
                      "torch.utils.serialization.config")

# The smallest run that goes through every step of a job's path: data drawn and split, a
# model built, an optimizer built and stepped, an epoch evaluated and summarized.
WARM_UP_CONFIG = {
    "model": {"kind": "mlp", "hidden": [4], "activation": "relu"},
    "data": {"name": "moons", "n_samples": 64, "noise": 0.2, "val_fraction": 0.25, "seed": 0},
    "optim": {"name": "adam", "lr": 0.01, "batch_size": 16, "epochs": 1},
}


def warm_up_imports() -> None:
    """Load from disk what a job would load on first use: datasets, lazily imported modules."""
    warm_up_datasets()
    for name in LAZY_TORCH_MODULES:
        importlib.import_module(name)


def warm_up_training() -> None:
    """Train WARM_UP_CONFIG once, discarding its events (a few tens of milliseconds)."""
    train(parse_config(WARM_UP_CONFIG), lambda _event: None)
