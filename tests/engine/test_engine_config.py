import copy
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from engine import (
    CONFIG_FIELDS,
    ConfigError,
    DataConfig,
    EvalConfig,
    MlpConfig,
    OptimConfig,
    TrainConfig,
    config_json_schema,
    parse_config,
)
from engine.catalog import ACTIVATIONS, DATASET_CLASSES, MODEL_KINDS, OPTIMIZERS
from engine.config import section_fields

REPO_ROOT = Path(__file__).resolve().parents[2]

EXAMPLE = {
    "model": {"kind": "mlp", "hidden": [16, 16], "activation": "relu"},
    "data": {"name": "moons", "n_samples": 500, "noise": 0.2, "val_fraction": 0.2, "seed": 0},
    "optim": {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": 20, "momentum": 0.9},
}

MINIMAL = {
    "model": {"kind": "mlp"},
    "data": {"name": "circles"},
    "optim": {"name": "sgd", "lr": 0.5, "epochs": 3},
}


def with_value(path: str, value: object, base: dict = EXAMPLE) -> dict:
    """A copy of `base` with the dotted field `path` set to `value`."""
    config = copy.deepcopy(base)
    section, name = path.split(".")
    config[section][name] = value
    return config


def without(path: str, base: dict = EXAMPLE) -> dict:
    config = copy.deepcopy(base)
    if "." in path:
        section, name = path.split(".")
        del config[section][name]
    else:
        del config[path]
    return config


def errors_of(raw: object) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    return caught.value.errors


def test_example_config_parses_into_dataclasses():
    assert parse_config(EXAMPLE) == TrainConfig(
        model=MlpConfig(kind="mlp", hidden=(16, 16), activation="relu", activations=(),
                        dropout=0.0, batch_norm=False),
        data=DataConfig(name="moons", n_samples=500, noise=0.2, val_fraction=0.2,
                        test_fraction=0.0, train_size="all", window=16, seed=0),
        optim=OptimConfig(name="adam", lr=0.01, batch_size=32, epochs=20, momentum=0.9,
                          weight_decay=0.0, schedule="constant", step_size=10, gamma=0.5,
                          early_stopping_patience=0, log_grad_norms=False),
        eval=EvalConfig(cv_folds=0),
    )


def test_missing_optional_fields_get_their_defaults():
    assert parse_config(MINIMAL).to_dict() == {
        "model": {"kind": "mlp", "hidden": [16, 16], "activation": "relu", "activations": [],
                  "dropout": 0.0, "batch_norm": False, "init": "default", "init_scale": 1.0,
                  "layer_norm": False},
        "data": {"name": "circles", "n_samples": 500, "noise": 0.2, "val_fraction": 0.2,
                 "test_fraction": 0.0, "train_size": "all", "window": 16, "seed": 0,
                 "group_b_share": 0.5, "label_bias": 0.0, "base_rate_b": 0.5,
                 "use_group_feature": True, "gate": "and", "minority_fraction": 0.5,
                 "augment_shift": 0, "augment_rotation_deg": 0.0},
        "optim": {"name": "sgd", "lr": 0.5, "batch_size": 32, "epochs": 3, "momentum": 0.9,
                  "weight_decay": 0.0, "schedule": "constant", "step_size": 10, "gamma": 0.5,
                  "early_stopping_patience": 0, "log_grad_norms": False, "reweight": "none",
                      "restore_best": False, "clip_grad_norm": 0.0, "warmup_epochs": 0,
                      "label_smoothing": 0.0, "class_weights": "none"},
        "eval": {"cv_folds": 0},
    }


@pytest.mark.parametrize(
    "raw",
    [
        EXAMPLE,
        MINIMAL,
        with_value("optim.batch_size", "full"),
        with_value("model.hidden", []),
        with_value("data.name", "digits", base=with_value("data.n_samples", 5000)),
    ],
)
def test_to_dict_round_trips_and_is_plain_json(raw):
    config = parse_config(raw)
    normalized = config.to_dict()
    assert parse_config(normalized) == config
    assert json.loads(json.dumps(normalized)) == normalized
    assert {f"{s}.{n}" for s, fields in normalized.items() for n in fields} == {
        f"{section}.{name}" for section in normalized for name in section_fields(section, "mlp")
    }


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("model.hidden", [8] * 7),
        ("model.hidden[0]", 0),
        ("model.hidden[1]", 257),
        ("data.n_samples", 19),
        ("data.n_samples", 5001),
        ("data.noise", -0.01),
        ("data.noise", 2.01),
        ("data.val_fraction", 0.04),
        ("data.val_fraction", 0.51),
        ("data.seed", -1),
        ("data.seed", 2**31),
        ("optim.lr", 0),
        ("optim.lr", -0.1),
        ("optim.lr", 10.01),
        ("optim.batch_size", 0),
        ("optim.batch_size", 5001),
        ("optim.epochs", 0),
        ("optim.epochs", 201),
        ("optim.momentum", -0.1),
        ("optim.momentum", 1.0),
        ("optim.momentum", float("nan")),
        ("optim.lr", float("inf")),
        ("optim.lr", 10**400),
    ],
)
def test_out_of_range_value_is_rejected_under_its_path(path, value):
    if path.startswith("model.hidden["):
        index = int(path[len("model.hidden[") : -1])
        raw = with_value("model.hidden", [value if i == index else 4 for i in range(index + 1)])
    else:
        raw = with_value(path, value)
    errors = errors_of(raw)
    assert list(errors) == [path]
    assert errors[path].startswith("must ")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("model.hidden", []),
        ("model.hidden", [1, 256, 1, 256, 1, 256]),
        ("data.n_samples", 20),
        ("data.n_samples", 5000),
        ("data.noise", 0),
        ("data.noise", 2),
        ("data.val_fraction", 0.05),
        ("data.val_fraction", 0.5),
        ("data.seed", 2**31 - 1),
        ("optim.lr", 1e-9),
        ("optim.lr", 10),
        ("optim.batch_size", 1),
        ("optim.batch_size", 5000),
        ("optim.epochs", 1),
        ("optim.epochs", 200),
        ("optim.momentum", 0),
        ("optim.momentum", 0.999),
    ],
)
def test_values_on_the_bounds_are_accepted(path, value):
    config = parse_config(with_value(path, value)).to_dict()
    section, name = path.split(".")
    assert config[section][name] == value


def test_range_error_says_what_is_allowed_and_what_was_given():
    assert errors_of(with_value("optim.lr", 50)) == {
        "optim.lr": "must be greater than 0 and at most 10 (got 50)"
    }
    assert errors_of(with_value("data.n_samples", 10)) == {
        "data.n_samples": "must be between 20 and 5000 (got 10)"
    }


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ({**EXAMPLE, "loss": "mse"}, "loss"),
        (with_value("model.depth", 3), "model.depth"),
        (with_value("data.shuffle", True), "data.shuffle"),
        (with_value("optim.decay", 0.1), "optim.decay"),
        ({**EXAMPLE, "eval": {"folds": 3}}, "eval.folds"),
    ],
)
def test_unknown_field_is_rejected_at_its_path(raw, path):
    assert errors_of(raw) == {path: "unknown field"}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("data.n_samples", True),
        ("data.seed", False),
        ("optim.epochs", True),
        ("optim.batch_size", True),
        ("optim.lr", True),
        ("data.noise", False),
        ("model.hidden[0]", True),
    ],
)
def test_bool_is_not_a_number(path, value):
    if path == "model.hidden[0]":
        raw = with_value("model.hidden", [value])
    else:
        raw = with_value(path, value)
    errors = errors_of(raw)
    assert list(errors) == [path]
    assert "(got " + json.dumps(value) + ")" in errors[path]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("optim.lr", "0.1"),
        ("data.noise", "0.2"),
        ("optim.epochs", "20"),
        ("optim.epochs", 2.5),
        ("optim.batch_size", "32"),
        ("optim.batch_size", "FULL"),
        ("model.hidden", "16,16"),
        ("model.hidden", 16),
        ("data.seed", None),
    ],
)
def test_wrong_type_is_rejected(path, value):
    errors = errors_of(with_value(path, value))
    assert list(errors) == [path]
    assert errors[path].startswith("must be ")


def test_integral_float_is_accepted_as_integer_like_json_schema_does():
    config = parse_config(with_value("optim.epochs", 20.0))
    assert config.optim.epochs == 20
    assert type(config.optim.epochs) is int


def test_integer_is_accepted_for_a_float_field_and_normalized():
    config = parse_config(with_value("optim.lr", 1))
    assert type(config.optim.lr) is float


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("model.kind", "perceiver"),
        ("model.activation", "swish"),
        ("data.name", "imagenet"),
        ("optim.name", "adagrad"),
        ("optim.schedule", "linear"),
        ("optim.name", ["adam"]),
    ],
)
def test_unknown_choice_is_rejected_with_the_choices(path, value):
    errors = errors_of(with_value(path, value))
    assert list(errors) == [path]
    for choice in CONFIG_FIELDS[path].choices:
        assert f'"{choice}"' in errors[path]


@pytest.mark.parametrize(
    "path", ["model", "data", "optim", "model.kind", "data.name", "optim.name", "optim.lr",
             "optim.epochs"],
)
def test_missing_required_field_is_reported(path):
    assert errors_of(without(path)) == {path: "required"}


@pytest.mark.parametrize("section", ["model", "data", "optim", "eval"])
def test_section_must_be_an_object(section):
    errors = errors_of({**EXAMPLE, section: [1, 2]})
    assert errors == {section: "must be an object (got [1, 2])"}


@pytest.mark.parametrize("raw", [None, [], "config", 3])
def test_config_must_be_an_object(raw):
    assert list(errors_of(raw)) == ["config"]


def test_every_error_is_collected_at_once():
    raw = {
        "model": {"kind": "mlp", "hidden": [16, True], "depth": 2},
        "data": {"name": "moons", "noise": "0.1"},
        "optim": {"name": "adam", "lr": 50},
        "extra": {},
    }
    errors = errors_of(raw)
    assert set(errors) == {
        "model.hidden[1]", "model.depth", "data.noise", "optim.lr", "optim.epochs", "extra"
    }
    message = str(ConfigError(errors))
    assert all(path in message for path in errors)


@pytest.mark.parametrize(
    ("data", "rejected"),
    [
        ({"name": "moons", "n_samples": 20, "val_fraction": 0.05}, True),  # 1 validation sample
        ({"name": "moons", "n_samples": 40, "val_fraction": 0.05}, False),  # 2
        ({"name": "digits", "n_samples": 20, "val_fraction": 0.2}, True),  # 4 for 10 classes
        ({"name": "digits", "n_samples": 20, "val_fraction": 0.5}, False),  # 10 and 10
        ({"name": "digits", "n_samples": 5000, "val_fraction": 0.05}, False),  # 1797 exist
        ({"name": "gaussians", "n_samples": 60, "val_fraction": 0.05}, True),  # 3 for 4 classes
    ],
)
def test_split_must_leave_every_class_on_both_sides(data, rejected):
    raw = {**EXAMPLE, "data": data}
    if rejected:
        errors = errors_of(raw)
        assert list(errors) == ["data.val_fraction"]
        assert "each side needs at least" in errors["data.val_fraction"]
    else:
        parse_config(raw)


def test_json_schema_is_valid_draft_2020_12_and_lists_every_field():
    schema = config_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["required"] == ["model", "data", "optim"]
    documented = {
        f"{section}.{name}"
        for section, section_schema in schema["properties"].items()
        for name in section_schema["properties"]
    }
    assert documented == set(CONFIG_FIELDS)
    for section_schema in schema["properties"].values():
        assert section_schema["additionalProperties"] is False


def test_json_schema_enums_and_defaults_match_the_parser():
    sections = config_json_schema()["properties"]
    assert sections["model"]["properties"]["kind"]["enum"] == list(MODEL_KINDS)
    assert sections["model"]["properties"]["activation"]["enum"] == list(ACTIVATIONS)
    assert sections["data"]["properties"]["name"]["enum"] == list(DATASET_CLASSES)
    assert sections["optim"]["properties"]["name"]["enum"] == list(OPTIMIZERS)
    defaults = parse_config(MINIMAL).to_dict()
    for section, section_schema in sections.items():
        for name, field_schema in section_schema["properties"].items():
            if name in section_schema["required"]:
                assert "default" not in field_schema
            elif name in defaults.get(section, {}):
                assert field_schema["default"] == defaults[section][name], f"{section}.{name}"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("optim.lr", 0),
        ("optim.lr", 10.5),
        ("optim.batch_size", 5001),
        ("optim.batch_size", "half"),
        ("data.n_samples", 19),
        ("data.seed", 2**31),
        ("model.hidden", [8] * 7),
        ("model.hidden", [0]),
        ("model.activation", "swish"),
        ("data.noise", "0.1"),
    ],
)
def test_json_schema_rejects_what_the_parser_rejects(path, value):
    validator = jsonschema.Draft202012Validator(config_json_schema())
    raw = with_value(path, value)
    assert validator.is_valid(EXAMPLE)
    assert validator.is_valid(with_value("optim.batch_size", "full"))
    assert not validator.is_valid(raw)
    errors_of(raw)


def test_validating_a_config_does_not_import_torch():
    # The web process validates configs; importing torch there would cost a second and
    # hundreds of MB per process.
    code = (
        "import sys\n"
        "from engine import parse_config, config_json_schema, ConfigError\n"
        f"parse_config({EXAMPLE!r}); config_json_schema()\n"
        "print(sorted(m for m in ('torch', 'sklearn', 'numpy') if m in sys.modules))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"
