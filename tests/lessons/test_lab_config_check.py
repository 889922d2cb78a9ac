"""check_lab_config: a learner may change only tunable leaves, within their bounds."""

import copy

import pytest
from django.core.exceptions import ValidationError

from lessons.labs import check_lab_config, normalize_preset, validate_tunable
from lessons.models import Lab


def changed(config, path, value):
    config = copy.deepcopy(config)
    *parents, leaf = path.split(".")
    node = config
    for key in parents:
        node = node[key]
    node[leaf] = value
    return config


def make_lab(preset, tunable):
    return Lab(preset_config=preset, tunable=tunable)


TUNABLE = {
    "optim.lr": {"min": 0.0001, "max": 1},
    "optim.batch_size": {"choices": [1, 32, "full"]},
    "optim.name": {"choices": ["sgd", "momentum", "adam"]},
    "model.hidden": {"max_layers": 4, "max_units": 64},
    "optim.epochs": {"min": 1, "max": 60},
}


@pytest.fixture
def preset(preset):
    """The conftest preset as the engine normalizes it: check_lab_config compares normalized
    configs, and a submitted config always has every default filled in."""
    from engine import parse_config

    return parse_config(preset).to_dict()


@pytest.fixture
def lab(preset):
    return make_lab(preset, TUNABLE)


def test_the_preset_itself_is_allowed(lab, preset):
    assert check_lab_config(lab, preset) == {}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("optim.lr", 0.0001),
        ("optim.lr", 1),
        ("optim.lr", 0.5),
        ("optim.batch_size", 1),
        ("optim.batch_size", "full"),
        ("optim.name", "adam"),
        ("model.hidden", []),
        ("model.hidden", [64, 64, 64, 64]),
        ("optim.epochs", 60),
    ],
)
def test_tunable_values_within_bounds_are_allowed(lab, preset, path, value):
    assert check_lab_config(lab, changed(preset, path, value)) == {}


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        ("optim.lr", 5, "this lab allows 0.0001 to 1 (got 5)"),
        ("optim.lr", 0.00001, "this lab allows 0.0001 to 1 (got 1e-05)"),
        ("optim.batch_size", 64, "this lab allows one of 1, 32, full (got 64)"),
        ("optim.name", "rmsprop", "this lab allows one of sgd, momentum, adam (got rmsprop)"),
        ("model.hidden", [8, 8, 8, 8, 8], "this lab allows at most 4 layers (got 5)"),
        ("model.hidden", [16, 128], "this lab allows at most 64 units per layer (got 128)"),
        ("optim.epochs", 61, "this lab allows 1 to 60 (got 61)"),
    ],
)
def test_out_of_bounds_values_are_reported(lab, preset, path, value, reason):
    assert check_lab_config(lab, changed(preset, path, value)) == {path: reason}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("data.name", "circles"),
        ("data.seed", 1),
        ("data.n_samples", 1000),
        ("model.activation", "tanh"),
        ("optim.momentum", 0.5),
    ],
)
def test_non_tunable_leaves_cannot_change(lab, preset, path, value):
    assert check_lab_config(lab, changed(preset, path, value)) == {
        path: "this lab does not let you change this"
    }


def test_several_errors_are_all_reported(lab, preset):
    config = changed(changed(preset, "optim.lr", 5), "data.name", "circles")
    assert set(check_lab_config(lab, config)) == {"optim.lr", "data.name"}


def test_bool_is_not_an_int(preset):
    lab = make_lab(preset, {"optim.batch_size": {"choices": [1, 32]}})
    assert "optim.batch_size" in check_lab_config(lab, changed(preset, "optim.batch_size", True))


def test_int_and_float_of_same_value_are_equal(lab, preset):
    assert check_lab_config(lab, changed(preset, "optim.lr", 0.1)) == {}
    assert check_lab_config(lab, changed(preset, "data.noise", 0.2)) == {}


def test_unknown_and_missing_leaves(lab, preset):
    extra = copy.deepcopy(preset)
    extra["optim"]["weight_decay"] = 0.1
    assert check_lab_config(lab, extra) == {
        "optim.weight_decay": "this lab does not let you change this"
    }
    missing = copy.deepcopy(preset)
    del missing["optim"]["lr"]
    assert check_lab_config(lab, missing) == {"optim.lr": "missing"}


def test_a_run_stored_before_the_engine_gained_a_field_still_matches(lab, preset):
    """Its config lacks the new field (here optim.warmup_epochs): the engine's default, not a
    change the lab forbids, so the run still counts for the lab and its challenge."""
    older = copy.deepcopy(preset)
    del older["optim"]["warmup_epochs"]
    assert check_lab_config(lab, older) == {}
    assert check_lab_config(lab, changed(older, "optim.lr", 5)) == {
        "optim.lr": "this lab allows 0.0001 to 1 (got 5)"}


def test_empty_spec_allows_any_value(preset):
    lab = make_lab(preset, {"data.seed": {}})
    assert check_lab_config(lab, changed(preset, "data.seed", 12345)) == {}


def test_min_only_and_max_only(preset):
    lab = make_lab(preset, {"optim.lr": {"min": 0.01}, "optim.epochs": {"max": 30}})
    config = changed(changed(preset, "optim.lr", 0.001), "optim.epochs", 31)
    assert check_lab_config(lab, config) == {
        "optim.lr": "this lab allows at least 0.01 (got 0.001)",
        "optim.epochs": "this lab allows at most 30 (got 31)",
    }


# --- validate_tunable: the spec itself -------------------------------------------------


def test_valid_spec_has_no_errors(preset):
    assert validate_tunable(TUNABLE, preset) == {}


@pytest.mark.parametrize(
    ("tunable", "path", "fragment"),
    [
        ({"optim.learning_rate": {}}, "optim.learning_rate", "not a field"),
        ({"optim": {}}, "optim", "not a field"),
        ({"optim.lr": {"min": 1, "max": 0.1}}, "optim.lr", "min must not exceed max"),
        ({"optim.lr": {"min": "a"}}, "optim.lr", "min must be a number"),
        ({"optim.lr": {"maximum": 1}}, "optim.lr", "unknown bound"),
        ({"optim.lr": [0, 1]}, "optim.lr", "bounds must be an object"),
        ({"optim.batch_size": {"choices": []}}, "optim.batch_size", "non-empty list"),
        ({"optim.lr": {"max_layers": 2}}, "optim.lr", "only applies to a list"),
        ({"optim.lr": {"min": 0.5, "max": 1}}, "optim.lr", "preset value is outside"),
        ({"optim.lr": {"max": 50}}, "optim.lr", "50 is not a valid value"),
        ({"optim.name": {"choices": ["sgd", "lbfgs"]}}, "optim.name", "lbfgs is not a valid"),
        ({"optim.batch_size": {"choices": [32, "half"]}}, "optim.batch_size", "half"),
    ],
)
def test_bad_specs_are_reported(preset, tunable, path, fragment):
    errors = validate_tunable(tunable, preset)
    assert path in errors and fragment in errors[path], errors


def test_spec_must_be_a_mapping(preset):
    assert "tunable" in validate_tunable(["optim.lr"], preset)


def test_lab_clean_normalizes_preset_and_names_config_fields(lesson):
    lab = Lab(
        lesson=lesson,
        title="t",
        slug="t",
        preset_config={
            "model": {"kind": "mlp"},
            "data": {"name": "moons"},
            "optim": {"name": "adam", "lr": 0.01, "epochs": 5},
        },
    )
    lab.full_clean()
    assert lab.preset_config["optim"]["batch_size"] == 32  # defaults filled in
    assert lab.tunable == {}

    lab.preset_config = {"model": {"kind": "mlp"}, "data": {"name": "moons"}, "optim": {"lr": -1}}
    with pytest.raises(ValidationError) as exc:
        lab.full_clean()
    messages = exc.value.message_dict["preset_config"]
    assert any(m.startswith("optim.lr: ") for m in messages), messages

    lab.preset_config = copy.deepcopy(lab.preset_config)
    lab.preset_config["optim"] = {"name": "adam", "lr": 0.01, "epochs": 5}
    lab.tunable = {"optim.nope": {}}
    with pytest.raises(ValidationError) as exc:
        lab.full_clean()
    assert exc.value.message_dict["tunable"] == ["optim.nope: not a field of the config"]


def test_each_distinct_config_is_read_through_the_engine_once(lab, preset, monkeypatch):
    """A challenge grades every run of its lab against the same preset on each page view, and
    runs repeat configs: each distinct config (by content) goes through the engine once."""
    from lessons import labs

    labs._LEAVES.clear()
    calls = []
    monkeypatch.setattr(labs, "normalize_preset",
                        lambda config: calls.append(config) or normalize_preset(config))
    too_fast = changed(preset, "optim.lr", 5)
    for _ in range(10):
        assert check_lab_config(lab, preset) == {}
        assert check_lab_config(lab, copy.deepcopy(too_fast)) == {
            "optim.lr": "this lab allows 0.0001 to 1 (got 5)"}
    assert calls == [preset, too_fast]

