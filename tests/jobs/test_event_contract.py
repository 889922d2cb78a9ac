"""One event contract from the engine to the browser.

Real runs of every model kind on every dataset it learns from emit their events; each
type must be in the contract generated from Python (static/js/live/contract.js), and the
live view's own fold (run in Node, as the page runs it) must keep and show each one.
"""

import json
import subprocess
from pathlib import Path

import pytest

from engine import events as engine_events
from engine.catalog import KIND_DATASETS
from jobs.event_contract import CONTRACT_MODULE, contract_module, event_contract
from jobs.services import STATUS_EVENT
from tests.engine.support import make_config, run
from tests.js.test_node_units import NODE_ARGS, node

ROOT = Path(__file__).resolve().parents[2]
FOLD_SCRIPT = ROOT / "tests" / "js" / "fold_recorded_events.mjs"
KINDS = {engine_events.LATEST, engine_events.SERIES, engine_events.PER_EPOCH}

# Small enough to train in about a second each; the data sizes are each dataset's minimum
# that still splits into training and validation.
SMALL = {"n_samples": 120}
SMALL_BY_DATASET = {
    "series": {"n_samples": 200, "window": 8},
    "text": {"n_samples": 400, "window": 8},
    "hiring": {"n_samples": 200},
}
SMALL_MODEL = {"mlp": {"hidden": [8]}, "cnn": {"channels": [4]}, "rnn": {"hidden_size": 8},
               "autoencoder": {"latent_dim": 2}, "gan": {"hidden": [16]},
               "vae": {"hidden": [16]},
               "transformer": {"d_model": 8, "heads": 2, "num_layers": 1}}

# The runs beyond the plain ones that emit the rest of the types: gradient norms, a test
# set, cross-validation, early stopping that ends training and restores the best weights.
EXTRA_RUNS = {
    "mlp-cv-test-set-grad-norms": lambda: make_config(
        "mlp", "moons", model={"hidden": [8]}, data={"n_samples": 200, "test_fraction": 0.2},
        eval={"cv_folds": 2}, epochs=2, log_grad_norms=True),
    "mlp-early-stop-restored": lambda: make_config(
        "mlp", "moons", model={"hidden": [256, 256]},
        data={"n_samples": 1000, "noise": 0.3, "train_size": 100},
        epochs=200, batch_size=32, early_stopping_patience=3, restore_best=True),
}


def plain_config(kind: str, dataset: str):
    return make_config(kind, dataset, model=SMALL_MODEL[kind],
                       data=SMALL_BY_DATASET.get(dataset, SMALL), epochs=2)


RUNS = {
    **{f"{kind}-{dataset}": (lambda k=kind, d=dataset: plain_config(k, d))
       for kind, datasets in KIND_DATASETS.items() for dataset in datasets},
    **EXTRA_RUNS,
}


def engine_event_types() -> set[str]:
    """Every event type events.py declares: its string constants, bar the callback's STOP
    and the names of the ways a viewer keeps them."""
    return {value for name, value in vars(engine_events).items()
            if name.isupper() and isinstance(value, str)} - {engine_events.STOP, *KINDS}


def fold_in_node(events: list[dict]) -> dict:
    done = subprocess.run(
        [node(), *NODE_ARGS, str(FOLD_SCRIPT)],
        input=json.dumps(events), capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def emitted() -> dict[str, list[dict]]:
    """Each run's events as the stream sends them, between its platform status events."""
    runs = {}
    for name, config in RUNS.items():
        _, events = run(config())
        runs[name] = [
            {"type": STATUS_EVENT, "payload": {"status": "running", "attempt": 1}},
            *({"type": event.type, "payload": event.payload} for event in events),
            {"type": STATUS_EVENT, "payload": {"status": "succeeded", "error": "", "result": {}}},
        ]
    return runs


def test_the_generated_browser_module_is_up_to_date():
    assert CONTRACT_MODULE.read_text(encoding="utf-8") == contract_module(), (
        "static/js/live/contract.js is out of date: run `python manage.py write_event_contract`")


def test_every_event_type_the_engine_declares_says_how_a_viewer_keeps_it():
    kept_as = event_contract()["keptAs"]
    assert engine_event_types() - set(kept_as) == set()
    assert set(kept_as.values()) <= KINDS


def test_every_model_kind_on_every_dataset_is_run():
    assert {name.split("-")[0] for name in RUNS} == set(KIND_DATASETS)
    assert len(RUNS) == sum(map(len, KIND_DATASETS.values())) + len(EXTRA_RUNS)


def test_the_runs_emit_every_type_of_the_contract(emitted):
    """So the next test checks the browser's handling of every type, not of a few."""
    seen = {event["type"] for events in emitted.values() for event in events}
    assert set(event_contract()["keptAs"]) - seen == set()


def test_every_event_a_real_run_emits_is_in_the_contract_and_kept_and_shown_by_the_browser(
        emitted):
    kept_as = event_contract()["keptAs"]
    problems = {}
    for name, events in emitted.items():
        outside = sorted({e["type"] for e in events} - set(kept_as))
        folded = fold_in_node(events)
        found = {key: value for key, value in
                 {"not in the contract": outside, **folded}.items() if value}
        if found:
            problems[name] = found
    assert problems == {}
