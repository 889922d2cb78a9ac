"""How a run is described in one line on the pages: its config summary and best metric."""

from jobs.compare import flatten

KIND_DETAILS = {
    "mlp": ("hidden", "activation"),
    "cnn": ("channels", "kernel_size"),
    "rnn": ("cell", "hidden_size"),
    "autoencoder": ("hidden", "latent_dim"),
    "gan": ("hidden", "latent_dim"),
    "vae": ("hidden", "latent_dim"),
    "transformer": ("num_layers", "d_model", "heads"),
}

# A run's result keys as a person reads them (model page, run pages).
METRIC_LABELS = {
    "val_accuracy": "Validation accuracy",
    "val_loss": "Validation loss",
    "train_accuracy": "Training accuracy",
    "train_loss": "Training loss",
    "test_accuracy": "Test accuracy",
    "test_loss": "Test loss",
    "n_params": "Parameters",
    "epochs_completed": "Epochs trained",
    "weights_epoch": "Weights from epoch",
}


def config_summary(config: dict) -> str:
    """E.g. "MLP [16, 16] relu on moons · adam lr 0.01, batch 32, 20 epochs"."""
    model, data, optim = config.get("model", {}), config.get("data", {}), config.get("optim", {})
    kind = model.get("kind", "?")
    details = " ".join(
        str(model[key]) for key in KIND_DETAILS.get(kind, ()) if model.get(key) not in (None, "")
    )
    text = f"{kind.upper()} {details} on {data.get('name', '?')}".replace("  ", " ")
    return (
        f"{text} · {optim.get('name', '?')} lr {optim.get('lr', '?')}, "
        f"batch {optim.get('batch_size', '?')}, {optim.get('epochs', '?')} epochs"
    )


def best_metric(result: dict, lowest_val_loss: float | None = None) -> str:
    """The run's headline number from its stored result, with the epoch it was reached at;
    "–" before its first epoch.

    A loss is shown at its lowest: a GAN's result keeps no best value (its losses measure
    a contest, not a fit), so its lowest validation loss is read from the history and
    given here (see needs_lowest_val_loss)."""
    result = result or {}
    if result.get("best_val_accuracy") is not None:
        return _at_epoch(f"{result['best_val_accuracy'] * 100:.1f}% best val. accuracy",
                         best_epoch(result, "val_accuracy"))
    if isinstance(result.get("best_val_loss"), int | float):
        return _at_epoch(f"{result['best_val_loss']:.4g} lowest val. loss",
                         best_epoch(result, "val_loss"))
    if lowest_val_loss is not None:
        return f"{lowest_val_loss:.4g} lowest val. loss"
    if isinstance(result.get("val_loss"), int | float):
        return f"{result['val_loss']:.4g} val. loss (last epoch)"
    return "–"


def needs_lowest_val_loss(result: dict) -> bool:
    """Whether best_metric needs the lowest validation loss read from the run's history."""
    result = result or {}
    return (result.get("best_val_accuracy") is None and result.get("best_val_loss") is None
            and isinstance(result.get("val_loss"), int | float))


def best_epoch(result: dict, metric: str) -> int | None:
    """The epoch of the best `metric` ("val_accuracy" or "val_loss") in a stored result.

    Runs stored before best_val_accuracy_epoch / best_val_loss_epoch had one `best_epoch`:
    the best accuracy's for classifiers, the lowest loss's for models without accuracy.
    """
    epoch = result.get(f"best_{metric}_epoch")
    if epoch is not None or "best_epoch" not in result:
        return epoch
    legacy_follows = "val_accuracy" if result.get("best_val_accuracy") is not None else "val_loss"
    return result["best_epoch"] if metric == legacy_follows else None


def cv_accuracy(result: dict) -> str | None:
    """Cross-validation's mean accuracy ± the spread across folds, named for what it is;
    None for a run without cross-validation."""
    cv = (result or {}).get("cv")
    if not cv:
        return None
    folds = len(cv.get("folds", []))
    mean, std = cv["mean_val_accuracy"] * 100, cv["std_val_accuracy"] * 100
    if "sem_val_accuracy" not in cv:  # stored before ddof 1: numpy's population s.d.
        return f"{mean:.1f}% ± {std:.1f}% (population s.d. across {folds} folds)"
    sem = cv["sem_val_accuracy"] * 100
    return (f"{mean:.1f}% ± {std:.1f}% (sample s.d. across {folds} folds; "
            f"standard error of the mean {sem:.1f}%)")


def _at_epoch(text: str, epoch: int | None) -> str:
    return text if epoch is None else f"{text} (epoch {epoch})"


def differing_paths(configs: list[dict]) -> set[str]:
    flats = [flatten(config) for config in configs]
    paths = {path for flat in flats for path in flat}
    return {path for path in paths if len({repr(flat.get(path)) for flat in flats}) > 1}
