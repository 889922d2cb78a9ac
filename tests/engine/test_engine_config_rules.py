"""Config rules beyond single fields: each model kind's own fields, the data it trains on,
the new training options, cross-validation and test splits, and the size and time caps."""

import copy
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from engine import ConfigError, budget, config_json_schema, parse_config
from engine.catalog import KIND_DATASETS, MODEL_KINDS
from engine.config import CONFIG_FIELDS, section_fields
from engine.config_rules import split_sizes

REPO_ROOT = Path(__file__).resolve().parents[2]

# One lab-worthy config per kind, as the lessons would use them.
EXAMPLES = {
    "mlp": {
        "model": {"kind": "mlp", "hidden": [64, 64], "activations": ["relu", "tanh"],
                  "dropout": 0.2, "batch_norm": True},
        "data": {"name": "spiral", "n_samples": 1000, "noise": 0.2, "test_fraction": 0.1},
        "optim": {"name": "adam", "lr": 0.01, "epochs": 60, "schedule": "cosine",
                  "weight_decay": 0.0001, "early_stopping_patience": 10},
        "eval": {"cv_folds": 5},
    },
    "cnn": {
        "model": {"kind": "cnn", "channels": [16, 32], "kernel_size": 3, "pool": True},
        "data": {"name": "digits", "n_samples": 1797},
        "optim": {"name": "adam", "lr": 0.003, "epochs": 15},
    },
    "rnn": {
        "model": {"kind": "rnn", "cell": "lstm", "hidden_size": 32, "num_layers": 1},
        "data": {"name": "series", "n_samples": 1000, "window": 20},
        "optim": {"name": "adam", "lr": 0.01, "epochs": 20},
    },
    "autoencoder": {
        "model": {"kind": "autoencoder", "hidden": [64], "latent_dim": 2, "denoise_noise": 0.3},
        "data": {"name": "digits", "n_samples": 1797},
        "optim": {"name": "adam", "lr": 0.003, "epochs": 30},
    },
    "gan": {
        "model": {"kind": "gan", "hidden": [64, 64], "latent_dim": 8},
        "data": {"name": "mixture", "n_samples": 2000, "noise": 0.1},
        "optim": {"name": "adam", "lr": 0.001, "batch_size": 64, "epochs": 40},
    },
    "vae": {
        "model": {"kind": "vae", "hidden": [64], "latent_dim": 2, "beta": 1.0},
        "data": {"name": "digits", "n_samples": 1797},
        "optim": {"name": "adam", "lr": 0.003, "epochs": 30},
    },
    "transformer": {
        "model": {"kind": "transformer", "d_model": 32, "heads": 4, "num_layers": 2,
                  "positional": "learned"},
        "data": {"name": "text", "n_samples": 3000, "window": 16},
        "optim": {"name": "adam", "lr": 0.003, "epochs": 5},
    },
}


def with_values(base: dict, **paths) -> dict:
    """A copy of `base` with each dotted path ("model__dropout") set to its value."""
    config = copy.deepcopy(base)
    for path, value in paths.items():
        section, name = path.split("__")
        config.setdefault(section, {})[name] = value
    return config


def errors_of(raw: dict) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    return caught.value.errors


@pytest.mark.parametrize("kind", MODEL_KINDS)
def test_each_kind_example_parses_and_round_trips(kind):
    config = parse_config(EXAMPLES[kind])
    normalized = config.to_dict()
    assert parse_config(normalized) == config
    assert json.loads(json.dumps(normalized)) == normalized
    assert set(normalized["model"]) == set(section_fields("model", kind))


def test_every_model_field_belongs_to_a_kind_and_every_kind_to_a_dataclass():
    from engine.config import MODEL_CONFIGS

    assert set(MODEL_CONFIGS) == set(MODEL_KINDS)
    for kind, dataclass_type in MODEL_CONFIGS.items():
        assert list(dataclass_type.__dataclass_fields__) == list(section_fields("model", kind))


@pytest.mark.parametrize(
    ("kind", "field", "value", "owner"),
    [
        ("mlp", "channels", [8], "cnn"),
        ("mlp", "latent_dim", 2, "autoencoder"),
        ("cnn", "hidden", [16], "mlp"),
        ("rnn", "activation", "relu", "mlp"),
        ("autoencoder", "dropout", 0.1, "mlp"),
        ("gan", "cell", "gru", "rnn"),
    ],
)
def test_a_field_of_another_kind_is_an_unknown_field(kind, field, value, owner):
    errors = errors_of(with_values(EXAMPLES[kind], **{f"model__{field}": value}))
    assert list(errors) == [f"model.{field}"]
    assert errors[f"model.{field}"].startswith(f'unknown field for model.kind "{kind}"')
    assert f'"{owner}"' in errors[f"model.{field}"]


def test_kind_defaults_differ_where_the_kind_needs_them():
    gan = parse_config({"model": {"kind": "gan"}, "data": {"name": "mixture"},
                        "optim": {"name": "adam", "lr": 0.001, "epochs": 1}})
    assert gan.model.hidden == (64, 64) and gan.model.activation == "leaky_relu"
    autoencoder = parse_config({"model": {"kind": "autoencoder"}, "data": {"name": "digits"},
                                "optim": {"name": "adam", "lr": 0.001, "epochs": 1}})
    assert autoencoder.model.hidden == (64,) and autoencoder.model.activation == "relu"


@pytest.mark.parametrize(
    ("kind", "dataset"),
    [("mlp", "series"), ("cnn", "moons"), ("rnn", "digits"), ("autoencoder", "shapes"),
     ("gan", "spiral")],
)
def test_each_kind_trains_on_its_own_datasets(kind, dataset):
    errors = errors_of(with_values(EXAMPLES[kind], data__name=dataset))
    assert list(errors) == ["data.name"]
    for suited in KIND_DATASETS[kind]:
        assert f'"{suited}"' in errors["data.name"]


@pytest.mark.parametrize(
    ("paths", "field", "reason"),
    [
        ({"model__activations": ["relu"]}, "model.activations", "one item per hidden layer (2)"),
        ({"model__activations": ["relu", "swish"]}, "model.activations[1]", "must be one of"),
        ({"model__dropout": 0.95}, "model.dropout", "between 0 and 0.9"),
        ({"model__batch_norm": 1}, "model.batch_norm", "must be true or false"),
        ({"model__batch_norm": True, "optim__batch_size": 1}, "optim.batch_size",
         "batch normalization needs at least 2"),
        ({"optim__weight_decay": 1.5}, "optim.weight_decay", "between 0 and 1"),
        ({"optim__gamma": 0}, "optim.gamma", "greater than 0"),
        ({"optim__early_stopping_patience": -1}, "optim.early_stopping_patience", "between"),
        ({"optim__log_grad_norms": "yes"}, "optim.log_grad_norms", "must be true or false"),
        ({"data__train_size": 2}, "data.train_size", "at least 3 for spiral"),
        ({"data__train_size": "half"}, "data.train_size", 'an integer or "all"'),
        ({"data__test_fraction": 0.6}, "data.test_fraction", "between 0 and 0.5"),
        ({"eval__cv_folds": 1}, "eval.cv_folds", "must be 0 or between 2 and 10"),
        ({"eval__cv_folds": True}, "eval.cv_folds", "must be an integer"),
        ({"eval__cv_folds": 11}, "eval.cv_folds", "must be 0 or between 2 and 10"),
    ],
)
def test_training_options_are_validated(paths, field, reason):
    errors = errors_of(with_values(EXAMPLES["mlp"], **paths))
    assert list(errors) == [field]
    assert reason in errors[field]


@pytest.mark.parametrize(
    ("kind", "paths", "field"),
    [
        ("rnn", {"eval__cv_folds": 3}, "eval.cv_folds"),
        ("autoencoder", {"data__test_fraction": 0.2}, "data.test_fraction"),
        ("gan", {"optim__early_stopping_patience": 3}, "optim.early_stopping_patience"),
        ("gan", {"optim__log_grad_norms": True}, "optim.log_grad_norms"),
        ("cnn", {"model__channels": []}, "model.channels"),
        ("cnn", {"model__channels": [8] * 9}, "model.channels"),
        ("cnn", {"model__channels": [33]}, "model.channels[0]"),
        ("cnn", {"model__kernel_size": 4}, "model.kernel_size"),
        ("rnn", {"model__cell": "transformer"}, "model.cell"),
        ("rnn", {"model__num_layers": 4}, "model.num_layers"),
        ("autoencoder", {"model__latent_dim": 1}, "model.latent_dim"),
        ("autoencoder", {"model__latent_dim": 33}, "model.latent_dim"),
        ("autoencoder", {"model__denoise_noise": 1.5}, "model.denoise_noise"),
    ],
)
def test_kind_specific_rules(kind, paths, field):
    assert list(errors_of(with_values(EXAMPLES[kind], **paths))) == [field]


def test_kernel_size_accepts_integral_numbers_only():
    config = parse_config(with_values(EXAMPLES["cnn"], model__kernel_size=5.0))
    assert config.model.kernel_size == 5 and type(config.model.kernel_size) is int
    assert list(errors_of(with_values(EXAMPLES["cnn"], model__kernel_size=True))) == [
        "model.kernel_size"
    ]


def test_eval_section_is_optional_and_defaults_to_a_single_split():
    raw = copy.deepcopy(EXAMPLES["cnn"])
    assert "eval" not in raw
    assert parse_config(raw).eval.cv_folds == 0


def test_split_sizes_with_a_test_set_and_a_training_cap():
    config = parse_config(with_values(
        EXAMPLES["mlp"], data__n_samples=1000, data__val_fraction=0.2, data__test_fraction=0.1,
        data__train_size=300, eval__cv_folds=0,
    ))
    assert split_sizes(config.data) == (300, 200, 100)
    assert split_sizes(config.data, cv_folds=4) == (300, 225, 100)


@pytest.mark.parametrize(
    ("paths", "field"),
    [
        ({"data__n_samples": 40, "data__test_fraction": 0.05, "eval__cv_folds": 0},
         "data.test_fraction"),  # 2 test samples for 3 classes
        ({"data__n_samples": 50, "eval__cv_folds": 10}, "eval.cv_folds"),  # 45 < 2 * 10 * 3
    ],
)
def test_test_set_and_folds_need_enough_samples(paths, field):
    errors = errors_of(with_values(EXAMPLES["mlp"], **paths))
    assert list(errors) == [field]
    assert "raise" in errors[field]


def test_rules_between_sections_are_reported_with_field_errors_elsewhere():
    raw = with_values(EXAMPLES["cnn"], data__name="moons", optim__lr=-1)
    assert set(errors_of(raw)) == {"data.name", "optim.lr"}


def test_text_uses_at_most_the_corpus():
    from engine.corpus import corpus_text

    config = parse_config(with_values(EXAMPLES["rnn"], data__name="text", data__n_samples=5000))
    sizes = split_sizes(config.data)
    assert sum(sizes) == len(corpus_text()) - 2 * config.data.window


@pytest.mark.parametrize(
    ("kind", "paths", "field"),
    [
        ("rnn", {"model__hidden_size": 256, "model__num_layers": 3, "data__name": "text"},
         "model.hidden_size"),
        ("mlp", {"model__hidden": [256] * 6, "model__activations": [], "model__batch_norm": False,
                 "data__name": "shapes", "optim__batch_size": 1,
                 "data__n_samples": 5000, "optim__epochs": 200, "eval__cv_folds": 0,
                 "data__test_fraction": 0}, "optim.epochs"),
        ("cnn", {"model__channels": [16, 32], "data__name": "shapes", "data__n_samples": 3000,
                 "optim__epochs": 100}, "optim.epochs"),
        ("cnn", {"model__channels": [32, 32, 32, 32], "model__pool": False,
                 "data__name": "shapes", "data__n_samples": 5000, "optim__epochs": 1},
         "data.n_samples"),
        ("gan", {"model__hidden": [256] * 6, "optim__epochs": 200, "data__n_samples": 5000},
         "optim.epochs"),
    ],
)
def test_runs_too_large_or_too_slow_are_refused_naming_the_field(kind, paths, field):
    errors = errors_of(with_values(EXAMPLES[kind], **paths))
    assert list(errors) == [field]
    assert any(words in errors[field] for words in ("parameters", "would take about"))


@pytest.mark.parametrize("kind", MODEL_KINDS)
def test_examples_fit_the_budget_with_room_to_spare(kind):
    config = parse_config(EXAMPLES[kind])
    sizes = split_sizes(config.data, config.eval.cv_folds)
    assert budget.count_parameters(config.model, config.data) < budget.MAX_PARAMETERS
    assert budget.estimate_seconds(config, sizes.train, sizes.val) < 30


def test_json_schema_forbids_the_fields_of_other_kinds_and_documents_kind_defaults():
    schema = config_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for kind, raw in EXAMPLES.items():
        assert validator.is_valid(raw), kind
        assert validator.is_valid(parse_config(raw).to_dict()), kind
    assert not validator.is_valid(with_values(EXAMPLES["mlp"], model__channels=[8]))
    assert not validator.is_valid(with_values(EXAMPLES["gan"], model__dropout=0.1))
    assert not validator.is_valid(with_values(EXAMPLES["mlp"], eval__cv_folds=1))
    assert not validator.is_valid(with_values(EXAMPLES["cnn"], model__kernel_size=4))
    assert not validator.is_valid(with_values(EXAMPLES["mlp"], model__batch_norm=0))
    assert not validator.is_valid(with_values(EXAMPLES["mlp"], model__activations=["swish"]))
    gan_clause = next(
        clause for clause in schema["properties"]["model"]["allOf"]
        if clause["if"]["properties"]["kind"]["const"] == "gan"
    )
    assert gan_clause["then"]["properties"]["hidden"] == {"default": [64, 64]}
    assert gan_clause["then"]["properties"]["dropout"] is False
    assert {f"{s}.{n}" for s, sec in schema["properties"].items() for n in sec["properties"]} == (
        set(CONFIG_FIELDS)
    )


def test_validating_any_kind_does_not_import_torch():
    code = (
        "import sys\n"
        "from engine import parse_config\n"
        f"for raw in {list(EXAMPLES.values())!r}: parse_config(raw)\n"
        f"parse_config({with_values(EXAMPLES['rnn'], data__name='text')!r})\n"
        "print(sorted(m for m in ('torch', 'sklearn', 'numpy') if m in sys.modules))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"
