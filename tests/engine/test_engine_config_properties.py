"""Property tests of the config validator (hypothesis): whatever a client sends, it either
gets a config that trains within the caps or a ConfigError naming real fields — never a
crash. Values are drawn from the field table itself, on and around every bound."""

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import ConfigError, parse_config
from engine.budget import (
    MAX_ESTIMATED_SECONDS,
    MAX_PARAMETERS,
    count_parameters,
    estimate_seconds,
)
from engine.catalog import KIND_DATASETS
from engine.config import CONFIG_FIELDS, FieldSpec
from engine.config_rules import split_sizes

JUNK = st.one_of(
    st.none(), st.booleans(), st.text(max_size=5), st.floats(allow_nan=True),
    st.integers(-10**12, 10**12), st.lists(st.integers(-5, 300), max_size=8),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def inside(spec: FieldSpec) -> st.SearchStrategy:
    """Values the field's own bounds allow."""
    low = spec.minimum if spec.minimum is not None else 0
    high = spec.maximum if spec.maximum is not None else 10**6
    if spec.type == "integer":
        return st.integers(int(math.ceil(low)), int(high))
    if spec.type == "number":
        return st.floats(low, high, allow_nan=False, exclude_min=spec.exclusive_minimum)
    if spec.type == "boolean":
        return st.booleans()
    if spec.type == "choice":
        return st.sampled_from(list(spec.choices))
    item = (st.sampled_from(list(spec.choices)) if spec.type == "choice_list"
            else st.integers(int(low), int(high)))
    return st.lists(item, min_size=spec.min_items, max_size=spec.max_items or 6)


def outside(spec: FieldSpec) -> st.SearchStrategy:
    """Values just past the bounds, or of the wrong type."""
    edges = [v for v in (spec.minimum, spec.maximum) if v is not None]
    past = [e - 1 for e in edges[:1]] + [e + 1 for e in edges[1:]]
    return st.one_of(st.sampled_from(past or [None]), JUNK)


@st.composite
def raw_configs(draw) -> dict:
    kind = draw(st.sampled_from(sorted(KIND_DATASETS)))
    raw: dict = {
        "model": {"kind": kind},
        "data": {"name": draw(st.sampled_from(sorted(KIND_DATASETS[kind])))},
        "optim": {"name": draw(inside(CONFIG_FIELDS["optim.name"])),
                  "lr": draw(st.floats(1e-4, 1)), "epochs": draw(st.integers(1, 200))},
    }
    for path, spec in CONFIG_FIELDS.items():
        section, field = path.split(".")
        if field in raw.get(section, {}) or not spec.has_kind(kind) or draw(st.booleans()):
            continue  # about half the fields are left to their defaults
        roll = draw(st.integers(0, 19))
        value = draw(outside(spec) if roll == 0 else inside(spec))
        if spec.also_accepts is not None and roll == 1:
            value = spec.also_accepts
        raw.setdefault(section, {})[field] = value
    if draw(st.integers(0, 19)) == 0:
        raw[draw(st.sampled_from(["extra", "model"]))] = draw(JUNK)
    return raw


@st.composite
def small_valid_configs(draw) -> dict:
    """Configs that must be accepted, by construction: a kind with one of its own datasets,
    an optimizer, a learning rate and a few epochs inside their bounds, and every other field
    at its default (the defaults are small enough for any budget)."""
    kind = draw(st.sampled_from(sorted(KIND_DATASETS)))
    return {
        "model": {"kind": kind},
        "data": {"name": draw(st.sampled_from(sorted(KIND_DATASETS[kind])))},
        "optim": {"name": draw(inside(CONFIG_FIELDS["optim.name"])),
                  "lr": draw(st.floats(1e-4, 1)), "epochs": draw(st.integers(1, 5))},
    }


SECTIONS = {path.split(".")[0] for path in CONFIG_FIELDS} | {"config"}
ACCEPTED: list[dict] = []


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(raw_configs(), small_valid_configs()))
def test_every_config_is_accepted_within_the_caps_or_refused_by_field(raw):
    try:
        config = parse_config(raw)
    except ConfigError as error:
        assert error.errors
        for path, reason in error.errors.items():
            assert path.split(".")[0].split("[")[0] in SECTIONS | set(raw), path
            assert isinstance(reason, str) and reason
        return
    ACCEPTED.append(raw)
    assert parse_config(config.to_dict()) == config
    sizes = split_sizes(config.data, config.eval.cv_folds)
    assert count_parameters(config.model, config.data) <= MAX_PARAMETERS
    seconds = estimate_seconds(config, sizes.train, sizes.val)
    assert math.isfinite(seconds) and seconds <= MAX_ESTIMATED_SECONDS


@settings(max_examples=200, deadline=None)
@given(st.one_of(JUNK, st.dictionaries(st.sampled_from(["model", "data", "optim", "eval", "x"]),
                                       JUNK, max_size=4)))
def test_anything_that_is_not_a_config_is_a_config_error(raw):
    try:
        parse_config(raw)
    except ConfigError as error:
        assert error.errors


def test_the_generator_reaches_accepted_configs():
    """Guards the property above from passing by refusing everything: about half its draws
    are valid by construction, so far more than 40 of its 400 are accepted, whatever the seed."""
    ACCEPTED.clear()
    test_every_config_is_accepted_within_the_caps_or_refused_by_field()
    assert len(ACCEPTED) >= 40, len(ACCEPTED)


@settings(max_examples=100, deadline=None)
@given(small_valid_configs())
def test_configs_valid_by_construction_are_accepted(raw):
    config = parse_config(raw)
    assert config.model.kind == raw["model"]["kind"]
