"""The training engine: pure PyTorch and scikit-learn, no Django.

Names are imported from their modules on first use, so that the web process can validate
configs (`parse_config`, `config_json_schema`) without importing torch.
"""

import importlib

_EXPORTS = {
    "CONFIG_FIELDS": "config",
    "ConfigError": "config",
    "DataConfig": "config",
    "ModelConfig": "config",
    "OptimConfig": "config",
    "TrainConfig": "config",
    "parse_config": "config",
    "config_json_schema": "config_schema",
    "CONFUSION_MATRIX": "events",
    "INFO": "events",
    "METRIC": "events",
    "STOP": "events",
    "Event": "events",
    "Dataset": "datasets",
    "load_dataset": "datasets",
    "warm_up": "datasets",
    "MODEL_REGISTRY": "models",
    "build_model": "models",
    "accuracy": "metrics",
    "confusion_matrix": "metrics",
    "TrainResult": "training",
    "TrainingDiverged": "training",
    "train": "training",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> object:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    globals()[name] = value  # later lookups skip this function
    return value
