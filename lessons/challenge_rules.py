"""What makes a challenge's definition valid: the summary numbers a goal may name, and the
checks of its target and bounds against its lab.

Apart from `challenges` (which grades runs and reads the models) so that the Challenge
model's `clean` can use it: with it in `challenges`, the two modules imported each other.
"""

from typing import Any

from lessons.labs import validate_tunable

# The summary numbers a goal may name: path in TrainingJob.result → words for the page.
METRICS = {
    "val_accuracy": "validation accuracy (last epoch)",
    "best_val_accuracy": "best validation accuracy",
    "val_loss": "validation loss (last epoch)",
    "best_val_loss": "best validation loss",
    "train_accuracy": "training accuracy (last epoch)",
    "train_loss": "training loss (last epoch)",
    "val_macro_f1": "validation macro F1",
    "test.accuracy": "test accuracy",
    # The groups' gaps on the validation set, for datasets whose samples belong to a group
    # (the hiring set): engine/metrics.py group_fairness, measured after the last epoch.
    "fairness.demographic_parity_difference": "demographic-parity difference (validation)",
    "fairness.equal_opportunity_difference": "equal-opportunity difference (validation)",
}


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def validate_challenge(*, metric: Any, target: Any, bounds: Any, lab, also_metric: object = "",
                       also_target: object = None) -> dict[str, str]:
    """What is wrong with a challenge's definition: {field: reason}, empty when valid."""
    errors: dict[str, str] = {}
    if metric not in METRICS:
        errors["metric"] = f"must be one of {', '.join(METRICS)}"
    if not is_number(target):
        errors["target"] = "must be a number"
    if also_metric and also_metric not in METRICS:
        errors["also_metric"] = f"must be one of {', '.join(METRICS)}"
    if also_metric and also_metric == metric:
        errors["also_metric"] = "must be another number than the goal's"
    if also_metric and not is_number(also_target):
        errors["also_target"] = "must be a number"
    if not also_metric and also_target is not None:
        errors["also_metric"] = "name the number that must meet this second target"
    if not isinstance(bounds, dict):
        errors["bounds"] = 'must map config paths to bounds, e.g. {"optim.lr": {"max": 1}}'
        return errors
    lab = lab if getattr(lab, "preset_config", None) else None
    if lab is None:
        return errors
    not_tunable = sorted(set(bounds) - set(lab.tunable or {}))
    if not_tunable:
        errors["bounds"] = (
            f"{not_tunable[0]}: not tunable in the lab, so a learner cannot change it"
        )
        return errors
    for path, reason in validate_tunable(bounds, lab.preset_config).items():
        errors.setdefault("bounds", f"{path}: {reason}")
    return errors
