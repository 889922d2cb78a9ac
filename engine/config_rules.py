"""Rules between config fields, checked by `parse_config` once each field is valid alone.

Each rule runs as soon as the sections it reads have parsed, so one submission reports as
many problems as it can. The caps at the end (parameters, estimated time) make sure every
accepted config trains within a job's time on the workers' CPU.
"""

from typing import NamedTuple

from engine import budget
from engine.catalog import (
    CLASSIFIER_KINDS,
    DATASET_AVAILABLE_SAMPLES,
    DATASET_CLASSES,
    DIGIT_DATASETS,
    GROUPED_DATASETS,
    IMBALANCEABLE_DATASETS,
    KIND_DATASETS,
    SEQUENCE_DATASETS,
    TRANSFER_KINDS,
    is_classification,
    n_input_features,
)
from engine.config import (
    ALL_LAYERS,
    ALL_SAMPLES,
    SECTIONS,
    DataConfig,
    ModelConfig,
    OptimConfig,
    TrainConfig,
)
from engine.corpus import corpus_text


class SplitSizes(NamedTuple):
    train: int
    val: int
    test: int


def n_samples_used(data: DataConfig) -> int:
    """Samples actually drawn: n_samples, or fewer where the source is smaller."""
    if data.name == "text":
        # The training and validation stretches each need a window before their first target.
        return min(data.n_samples, len(corpus_text()) - 2 * data.window)
    return min(data.n_samples, DATASET_AVAILABLE_SAMPLES.get(data.name, data.n_samples))


def split_sizes(data: DataConfig, cv_folds: int = 0) -> SplitSizes:
    """Sizes `load_dataset` will produce; with cross-validation, those of the smallest fold."""
    n_samples = n_samples_used(data)
    n_test = round(n_samples * data.test_fraction)
    n_val = round(n_samples * data.val_fraction)
    if cv_folds:
        n_val = (n_samples - n_test) // cv_folds
    n_train = n_samples - n_test - n_val
    if data.train_size != ALL_SAMPLES:
        n_train = min(n_train, data.train_size)
    return SplitSizes(n_train, n_val, n_test)


def check_rules(sections: dict) -> dict[str, str]:
    """{path: reason} for every rule the parsed sections break."""
    errors: dict[str, str] = {}
    model, data, optim = sections.get("model"), sections.get("data"), sections.get("optim")
    cv_folds = sections["eval"].cv_folds if "eval" in sections else 0
    if model is not None:
        _check_activations(model, errors)
    if model is not None and data is not None:
        _check_dataset_suits_model(model, data, errors)
        _check_augmentation(model, data, errors)
    if data is not None:
        _check_split(data, cv_folds, errors)
        _check_minority(data, cv_folds, errors)
    if model is not None and "eval" in sections and data is not None:
        _check_evaluation(model, data, cv_folds, errors)
    if model is not None and optim is not None:
        _check_training_options(model, optim, errors)
    if data is not None:
        _check_groups(data, optim, cv_folds, errors)
    if model is not None and data is not None and optim is not None:
        _check_label_smoothing(model, data, optim, errors)
        _check_class_weights(model, data, optim, errors)
    if model is not None and "transfer" in sections:
        _check_transfer(model, sections["transfer"], errors)
    if not errors and len(sections) == len(SECTIONS):
        _check_size_and_time(sections, errors)
    return errors


def _check_activations(model, errors: dict[str, str]) -> None:
    if model.kind == "mlp" and model.activations and len(model.activations) != len(model.hidden):
        errors["model.activations"] = (
            f"must have one item per hidden layer ({len(model.hidden)}), or none "
            f"(got {len(model.activations)})"
        )
    if model.kind == "transformer" and model.d_model % model.heads:
        errors["model.heads"] = (
            f"must divide model.d_model ({model.d_model}) so that every head gets the same "
            f"number of dimensions (got {model.heads})"
        )


def _check_dataset_suits_model(model, data: DataConfig, errors: dict[str, str]) -> None:
    suited = KIND_DATASETS[model.kind]
    if data.name not in suited:
        names = ", ".join(f'"{name}"' for name in suited)
        errors["data.name"] = (
            f'model.kind "{model.kind}" trains on {names} (got "{data.name}")'
        )


def _needed_per_side(data: DataConfig) -> int:
    # A stratified split needs every class on each side, and 2 samples for a mean.
    if data.name in SEQUENCE_DATASETS:
        return 2
    return max(2, len(DATASET_CLASSES[data.name]))


def _check_split(data: DataConfig, cv_folds: int, errors: dict[str, str]) -> None:
    n_samples = n_samples_used(data)
    sizes = split_sizes(data, cv_folds)
    needed = _needed_per_side(data)
    n_pool = n_samples - sizes.test
    if data.test_fraction > 0 and sizes.test < needed:
        errors["data.test_fraction"] = (
            f"holds out {sizes.test} of {n_samples} samples for testing; the test set needs "
            f"at least {needed} (raise n_samples or test_fraction)"
        )
    if cv_folds:
        n_classes = max(1, len(DATASET_CLASSES[data.name]))
        if n_pool < 2 * cv_folds * n_classes:
            errors["eval.cv_folds"] = (
                f"{cv_folds} folds of {n_classes} classes need at least "
                f"{2 * cv_folds * n_classes} samples outside the test set (got {n_pool}); "
                "raise data.n_samples or use fewer folds"
            )
    else:
        n_train = n_pool - sizes.val
        if min(n_train, sizes.val) < needed:
            errors["data.val_fraction"] = (
                f"splits {n_pool} samples into {n_train} for training and {sizes.val} for "
                f"validation; each side needs at least {needed} (raise n_samples or "
                "val_fraction)"
            )
    if data.train_size != ALL_SAMPLES and data.train_size < needed:
        errors["data.train_size"] = (
            f"must be at least {needed} for {data.name}, so that training sees every class "
            f"(got {data.train_size})"
        )


def _check_evaluation(model, data: DataConfig, cv_folds: int, errors: dict[str, str]) -> None:
    if model.kind in CLASSIFIER_KINDS:
        return
    reason = f'is for classifiers ("mlp", "cnn"), not model.kind "{model.kind}"'
    if cv_folds:
        errors["eval.cv_folds"] = f"cross-validation {reason}"
    if data.test_fraction > 0:
        errors["data.test_fraction"] = f"a test set {reason}"


def _check_training_options(model, optim, errors: dict[str, str]) -> None:
    if optim.warmup_epochs >= optim.epochs:
        errors["optim.warmup_epochs"] = (
            f"must be less than optim.epochs ({optim.epochs}), so that at least one epoch "
            f"trains at the full learning rate (got {optim.warmup_epochs})"
        )
    if getattr(model, "batch_norm", False) and getattr(model, "layer_norm", False):
        errors["model.layer_norm"] = (
            "choose one normalization: model.batch_norm and model.layer_norm cannot both "
            "be true (each hidden layer has one normalization before its activation)"
        )
    if getattr(model, "batch_norm", False) and optim.batch_size == 1:
        errors["optim.batch_size"] = (
            "batch normalization needs at least 2 samples per batch (got 1)"
        )
    if optim.restore_best and not optim.early_stopping_patience:
        errors["optim.restore_best"] = (
            "needs early stopping: set optim.early_stopping_patience above 0 (the restored "
            "epoch is the one early stopping tracks, the lowest validation loss)"
        )
    if model.kind == "gan":
        if optim.early_stopping_patience:
            errors["optim.early_stopping_patience"] = (
                'must be 0 for model.kind "gan": a GAN has no validation loss that should '
                "only go down"
            )
        if optim.log_grad_norms:
            errors["optim.log_grad_norms"] = 'is not available for model.kind "gan"'


def _check_label_smoothing(
    model: ModelConfig, data: DataConfig, optim: OptimConfig, errors: dict[str, str]
) -> None:
    if optim.label_smoothing and not is_classification(model.kind, data.name):
        errors["optim.label_smoothing"] = (
            "smooths the targets of a classifier; model.kind "
            f'"{model.kind}" on "{data.name}" does not predict classes (use 0)'
        )


# Kinds whose training step augments its batches (SupervisedTask on images).
AUGMENTED_KINDS = ("mlp", "cnn")


def _check_augmentation(model: ModelConfig, data: DataConfig, errors: dict[str, str]) -> None:
    # Shifts and rotations keep a digit's label; on another dataset (a point of a 2-D
    # cloud, the shapes' triangles whose rotation is already random) they have no meaning.
    for field, value in (("augment_shift", data.augment_shift),
                         ("augment_rotation_deg", data.augment_rotation_deg)):
        if not value:
            continue
        if data.name not in DIGIT_DATASETS:
            digit_sets = ", ".join(f'"{name}"' for name in DIGIT_DATASETS)
            errors[f"data.{field}"] = (
                f'moves the pixels of the digits ({digit_sets}), not of "{data.name}" (use 0)'
            )
        elif model.kind not in AUGMENTED_KINDS:
            errors[f"data.{field}"] = (
                'augments the training batches of a classifier ("mlp", "cnn"), not of '
                f'model.kind "{model.kind}" (use 0)'
            )


# A stratified split needs this many samples of the rare class on every side.
MIN_MINORITY_PER_SIDE = 2


def n_minority(data: DataConfig) -> int:
    """Samples of class 1 drawn under data.minority_fraction."""
    return round(n_samples_used(data) * data.minority_fraction)


def _check_minority(data: DataConfig, cv_folds: int, errors: dict[str, str]) -> None:
    if data.minority_fraction == 0.5:
        return
    if data.name not in IMBALANCEABLE_DATASETS:
        names = ", ".join(f'"{name}"' for name in IMBALANCEABLE_DATASETS)
        errors["data.minority_fraction"] = (
            f'thins class 1 of a two-class point cloud ({names}), not "{data.name}" '
            "(use 0.5)"
        )
        return
    rare = n_minority(data)
    sizes = split_sizes(data, cv_folds)
    shares = [data.val_fraction if not cv_folds else sizes.val / n_samples_used(data)]
    shares.append(sizes.train / n_samples_used(data))
    if data.test_fraction > 0:
        shares.append(data.test_fraction)
    fewest = min(rare * share for share in shares)
    if fewest < MIN_MINORITY_PER_SIDE:
        errors["data.minority_fraction"] = (
            f"leaves {rare} samples of class 1 among {n_samples_used(data)}: the smallest "
            f"split would get about {fewest:.1f}, and each needs at least "
            f"{MIN_MINORITY_PER_SIDE} (raise n_samples or minority_fraction)"
        )


def _check_class_weights(model: ModelConfig, data: DataConfig, optim: OptimConfig,
                         errors: dict[str, str]) -> None:
    if optim.class_weights == "none":
        return
    if not is_classification(model.kind, data.name):
        errors["optim.class_weights"] = (
            f'weighs the classes of a classifier; model.kind "{model.kind}" on "{data.name}" '
            'does not predict classes (use "none")'
        )
    elif optim.reweight != "none":
        errors["optim.class_weights"] = (
            'cannot be combined with optim.reweight: use one way of weighing samples '
            '(set one of them to "none")'
        )


def _check_groups(data: DataConfig, optim, cv_folds: int, errors: dict[str, str]) -> None:
    grouped = data.name in GROUPED_DATASETS
    if optim is not None and optim.reweight != "none" and not grouped:
        names = ", ".join(f'"{name}"' for name in GROUPED_DATASETS)
        errors["optim.reweight"] = (
            f'"{optim.reweight}" needs a dataset with groups ({names}), not "{data.name}"'
        )
    if grouped and cv_folds:
        # Its validation set is drawn apart from the (possibly skewed) training set, so
        # folds cut from one sample would validate on biased data.
        errors["eval.cv_folds"] = (
            f'cross-validation is not available for "{data.name}": its validation set is '
            "drawn unbiased, apart from the training set"
        )


# The field that sets a model's size, where a too-large model is reported.
SIZE_FIELDS = {
    "mlp": "model.hidden",
    "cnn": "model.channels",
    "rnn": "model.hidden_size",
    "autoencoder": "model.hidden",
    "gan": "model.hidden",
    "vae": "model.hidden",
    "transformer": "model.d_model",
}


def _check_size_and_time(sections: dict, errors: dict[str, str]) -> None:
    config = TrainConfig(**sections)
    n_params = budget.count_parameters(config.model, config.data)
    if n_params > budget.MAX_PARAMETERS:
        errors[SIZE_FIELDS[config.model.kind]] = (
            f"makes a model of {n_params:,} parameters; at most "
            f"{budget.MAX_PARAMETERS:,} are allowed (use fewer or smaller layers)"
        )
        return
    sizes = split_sizes(config.data, config.eval.cv_folds)
    batch = budget.batch_size(config, sizes.train)
    step = budget.step_seconds(config, batch)
    if step > budget.MAX_STEP_SECONDS:
        errors["optim.batch_size"] = (
            f"one step on batches of {batch} would take about {step:.1f} s, and a run must "
            "be able to stop within a second: use a smaller batch_size or model"
        )
    evaluation = budget.evaluation_seconds(config, sizes.train, sizes.val)
    if evaluation > budget.MAX_EVALUATION_SECONDS:
        errors["data.n_samples"] = (
            f"measuring the model on {sizes.train + sizes.val} samples would take about "
            f"{evaluation:.0f} s every epoch, during which the run could not be stopped: use "
            "fewer samples or a smaller model"
        )
    if errors:
        return
    seconds = budget.estimate_seconds(config, sizes.train, sizes.val)
    if seconds > budget.MAX_ESTIMATED_SECONDS:
        errors["optim.epochs"] = (
            f"this run would take about {seconds:.0f} s, more than the "
            f"{budget.MAX_ESTIMATED_SECONDS} s a run may take: lower optim.epochs or "
            "data.n_samples, use a smaller model, or raise optim.batch_size"
        )


def transfer_layers(model) -> int:
    """Layers below the output layer, which a transfer-learning job can freeze."""
    return len(model.channels) if model.kind == "cnn" else len(model.hidden)


def _check_transfer(model, transfer, errors: dict[str, str]) -> None:
    if transfer.base_job and transfer.base_name != "none":
        errors["transfer.base_name"] = "give transfer.base_job or transfer.base_name, not both"
    if not transfer.enabled:
        if transfer.freeze != 0:
            errors["transfer.freeze"] = (
                "freezing needs a base model (transfer.base_job or transfer.base_name)"
            )
        return
    if model.kind not in TRANSFER_KINDS:
        kinds = ", ".join(f'"{kind}"' for kind in TRANSFER_KINDS)
        field = "transfer.base_job" if transfer.base_job else "transfer.base_name"
        errors[field] = f"transfer learning is for model.kind {kinds} (got \"{model.kind}\")"
        return
    layers = transfer_layers(model)
    if transfer.freeze != ALL_LAYERS and transfer.freeze > layers:
        errors["transfer.freeze"] = (
            f"the model has {layers} layer{'s' if layers != 1 else ''} below its output "
            f'layer: freeze at most {layers}, or "{ALL_LAYERS}" (got {transfer.freeze})'
        )


def compatibility_errors(config, base, field: str) -> dict[str, str]:
    """{field: reason} when the base's layers cannot be this model's; {} when they can."""
    model, base_model = config.model, base.model
    if base_model.kind != model.kind:
        return {field: f'the base is a "{base_model.kind}" model; model.kind is '
                       f'"{model.kind}" (they must be the same kind)'}
    fields: tuple[str, ...]
    if model.kind == "mlp":
        fields = ("hidden", "batch_norm", "layer_norm")
        inputs, base_inputs = (n_input_features(c.data.name, c.data.use_group_feature)
                               for c in (config, base))
        if inputs != base_inputs:
            return {field: f"the base reads {base_inputs} input features and "
                           f'"{config.data.name}" has {inputs}; an MLP can only transfer '
                           "between datasets of the same input size (a CNN can)"}
    else:
        # Stride and residual blocks change which weighted layers a block has (projections).
        fields = ("channels", "kernel_size", "batch_norm", "residual", "stride")
    for name in fields:
        ours, theirs = getattr(model, name), getattr(base_model, name)
        if ours != theirs:
            return {f"model.{name}": f"must be the base's ({_show(theirs)}) to start from it "
                                     f"(got {_show(ours)})"}
    return {}


def with_base_model(raw: dict, base_config: dict) -> dict:
    """The submitted config, with the base's model section when it gave none."""
    if isinstance(raw, dict) and "model" not in raw and "model" in base_config:
        return {**raw, "model": base_config["model"]}
    return raw


def _show(value) -> str:
    return str(list(value)) if isinstance(value, tuple) else str(value).lower()
