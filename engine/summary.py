"""A run's summary (the job's stored `result`), kept up to date event by event.

Each "best" names what it follows: `best_val_accuracy` and `best_val_accuracy_epoch` follow
the validation accuracy, `best_val_loss` and `best_val_loss_epoch` the validation loss;
the two epochs often differ. `weights_epoch` is the epoch whose weights the model holds:
the last one trained, or the restored one (optim.restore_best), whose re-measured metrics
then replace the last epoch's. Runs stored before these names had one `best_epoch` (the
accuracy's epoch for classifiers, the loss's otherwise) and no `weights_epoch`.
"""

import math
import statistics

from engine.events import (
    CLASSIFICATION_REPORT,
    CV_SUMMARY,
    EARLY_STOP,
    FAIRNESS,
    INFO,
    METRIC,
    RANKING,
    TEST_METRICS,
    WEIGHTS_RESTORED,
    Event,
)

# The measurements of one epoch that describe the model the run ends with.
FINAL_METRICS = ("train_loss", "train_accuracy", "val_loss", "val_accuracy")


def cv_summary(results: list[dict]) -> dict:
    """Mean, sample standard deviation (ddof 1: the spread between folds) and standard
    error of the mean (std / sqrt(k): the uncertainty of the mean) over the folds."""
    accuracies = [result["val_accuracy"] for result in results]
    f1s = [result["macro_f1"] for result in results]
    std_accuracy, std_f1 = statistics.stdev(accuracies), statistics.stdev(f1s)
    root_k = math.sqrt(len(results))
    return {
        "folds": results,
        "mean_val_accuracy": statistics.fmean(accuracies),
        "std_val_accuracy": std_accuracy,
        "sem_val_accuracy": std_accuracy / root_k,
        "mean_macro_f1": statistics.fmean(f1s),
        "std_macro_f1": std_f1,
        "sem_macro_f1": std_f1 / root_k,
    }


def empty_summary(n_params: int) -> dict:
    return {
        "n_params": n_params,
        "epochs_completed": 0,
        "weights_epoch": None,
        "steps": 0,
        "train_loss": None,
        "train_accuracy": None,
        "val_loss": None,
        "val_accuracy": None,
        "best_val_accuracy": None,
        "best_val_accuracy_epoch": None,
        "best_val_loss": None,
        "best_val_loss_epoch": None,
        "early_stopped": False,
    }


def update_summary(summary: dict, event: Event) -> None:
    """Keep the summary up to date with `event`. Under cross-validation, a fold's INFO
    starts the per-epoch fields afresh: they describe the fold trained last."""
    payload = event.payload
    if event.type == INFO and payload.get("fold", 1) > 1:
        summary.update(empty_summary(summary["n_params"]))
    elif event.type == EARLY_STOP:
        summary["early_stopped"] = True
    elif event.type == WEIGHTS_RESTORED:
        summary["weights_epoch"] = payload["weights_epoch"]
        for name in FINAL_METRICS:
            summary[name] = payload.get(name)
    elif event.type == CV_SUMMARY:
        summary["cv"] = payload
    elif event.type == TEST_METRICS:
        summary["test"] = {
            name: payload[name] for name in ("accuracy", "loss", "n_test") if name in payload
        }
        summary["test"]["macro_f1"] = payload["macro"]["f1"]
    elif event.type == CLASSIFICATION_REPORT:
        summary["val_macro_f1"] = payload["macro"]["f1"]
    elif event.type == RANKING:
        summary["roc_auc"] = payload["roc_auc"]
        summary["average_precision"] = payload["average_precision"]
    elif event.type == FAIRNESS:
        summary["fairness"] = {name: value for name, value in payload.items() if name != "epoch"}
    if event.type != METRIC:
        return
    summary["steps"] = payload["step"]
    if payload["scope"] != "epoch":
        return
    summary["epochs_completed"] = summary["weights_epoch"] = payload["epoch"]
    for name in FINAL_METRICS:
        summary[name] = payload.get(name)
    if "g_loss" in payload:
        return  # a GAN has no best epoch: its losses measure a contest, not a fit
    best_loss = summary["best_val_loss"]
    if best_loss is None or payload["val_loss"] < best_loss:
        summary["best_val_loss"] = payload["val_loss"]
        summary["best_val_loss_epoch"] = payload["epoch"]
    if "val_accuracy" not in payload:
        return
    best = summary["best_val_accuracy"]
    if best is None or payload["val_accuracy"] > best:
        summary["best_val_accuracy"] = payload["val_accuracy"]
        summary["best_val_accuracy_epoch"] = payload["epoch"]
