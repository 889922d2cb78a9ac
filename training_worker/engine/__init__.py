"""The training engine: pure PyTorch and scikit-learn, no Django.

Names are imported from their modules on first use, so that the web process can validate
configs (`parse_config`, `config_json_schema`) without importing torch.
"""

import importlib

from training_worker.engine import events as _events_module

_EXPORTS = {
    "CONFIG_FIELDS": "config",
    "ConfigError": "config",
    "DataConfig": "config",
    "ModelConfig": "config",
    "MlpConfig": "config",
    "CnnConfig": "config",
    "RnnConfig": "config",
    "AutoencoderConfig": "config",
    "GanConfig": "config",
    "OptimConfig": "config",
    "EvalConfig": "config",
    "TrainConfig": "config",
    "parse_config": "config",
    "config_json_schema": "config_schema",
    "STOP": "events",
    "Event": "events",
    # Every event type constant: INFO, METRIC, CONFUSION_MATRIX, DECISION_BOUNDARY, ...
    **{name: "events" for name in dir(_events_module) if name.isupper() and name != "STOP"},
    "Dataset": "datasets",
    "load_dataset": "datasets",
    "load_folds": "datasets",
    "warm_up": "datasets",
    "MODEL_REGISTRY": "models",
    "build_model": "models",
    "accuracy": "metrics",
    "classification_report": "metrics",
    "confusion_matrix": "metrics",
    "group_fairness": "metrics",
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
