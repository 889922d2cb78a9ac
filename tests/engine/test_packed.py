"""Packed training gives each job what training it alone through `train` gives."""

import pytest
import torch

from engine import INFO, METRIC, STOP, TEST_METRICS, budget
from engine.config_rules import split_sizes
from engine.datasets import load_dataset
from engine.packed import can_pack, pack_size_within, train_packed
from engine.training import TrainingDiverged, train
from tests.engine.support import assert_same_payload, epoch_metrics, make_config, run

SMALL_MLP = {"hidden": [16, 16], "activation": "tanh"}
# Per job: seed, lr, weight decay, schedule; three jobs that share only the architecture.
JOBS = [(1, 0.05, 0.0, "constant"), (2, 0.01, 1e-3, "cosine"), (3, 0.02, 0.0, "step")]


def job_configs(optimizer, jobs=JOBS, model=SMALL_MLP, dataset="moons", data=None,
                epochs=4, **optim):
    return [
        make_config(
            dataset=dataset, model=model, data={"seed": seed, **(data or {})}, name=optimizer,
            lr=lr, weight_decay=weight_decay, schedule=schedule, step_size=2, epochs=epochs,
            **optim,
        )
        for seed, lr, weight_decay, schedule in jobs
    ]


def max_difference(first: torch.nn.Module, second: torch.nn.Module) -> float:
    pairs = zip(first.parameters(), second.parameters(), strict=True)
    return max((a - b).abs().max().item() for a, b in pairs)


def packed_run(configs, stop_when=lambda index, event: False):
    """train_packed, recording each job's events and the order jobs were handed over in."""
    events = [[] for _ in configs]
    ended = []

    def on_event(index, event):
        events[index].append(event)
        return STOP if stop_when(index, event) else None

    results = train_packed(configs, on_event, on_end=lambda index, result: ended.append(index))
    return results, events, ended


def assert_same_events(mine, theirs, packed_with):
    """A packed job's stream is a solo run's: same types in the same order, same payloads
    (INFO adds packed_with when the job had companions)."""
    assert [event.type for event in mine] == [event.type for event in theirs]
    for index, (ours, solo) in enumerate(zip(mine, theirs, strict=True)):
        payload = dict(ours.payload)
        if ours.type == INFO:
            assert payload.pop("packed_with", 0) == packed_with
        assert_same_payload(payload, solo.payload, f"event {index} ({ours.type})")


def assert_same_as_solo(configs, results, streams=None):
    for index, (config, packed) in enumerate(zip(configs, results, strict=True)):
        solo, events = run(config)
        assert max_difference(solo.model, packed.model) <= 1e-5
        solo_epochs = epoch_metrics(events)
        assert [p["val_accuracy"] for p in packed.history] == [
            p["val_accuracy"] for p in solo_epochs
        ]
        assert len(packed.history) == len(solo_epochs) == config.optim.epochs
        for mine, theirs in zip(packed.history, solo_epochs, strict=True):
            assert mine.keys() == theirs.keys()
            assert mine == pytest.approx(theirs, abs=1e-5)
        trained = packed.train_result()
        assert trained.summary.keys() == solo.summary.keys()
        assert_same_payload(trained.summary, solo.summary)
        assert (trained.stopped, trained.epochs_completed) == (False, config.optim.epochs)
        if streams is not None:
            assert_same_events(streams[index], events, packed_with=len(configs) - 1)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam", "adamw", "rmsprop"])
def test_packed_jobs_end_with_the_weights_and_scores_of_solo_runs(optimizer):
    configs = job_configs(optimizer)
    assert can_pack(configs) is None
    results, streams, ended = packed_run(configs)
    assert_same_as_solo(configs, results, streams)
    assert ended == [0, 1, 2]


def test_adamw_packed_decays_each_jobs_weights_apart_from_the_gradient():
    # A strong decay per job, so that coupling it to the gradient would show.
    jobs = [(1, 0.05, 0.3, "constant"), (2, 0.01, 0.0, "cosine"), (3, 0.02, 0.1, "step")]
    configs = job_configs("adamw", jobs=jobs)
    assert can_pack(configs) is None
    assert_same_as_solo(configs, train_packed(configs))


def test_another_dataset_architecture_and_batch_size():
    model = {"hidden": [32, 8], "activations": ["gelu", "relu"]}
    configs = job_configs("adam", model=model, dataset="spiral", batch_size=50)
    results, streams, _ = packed_run(configs)
    assert_same_as_solo(configs, results, streams)


def test_a_test_set_and_many_steps_per_epoch_stream_as_solo():
    """Batches of 4: 100 steps an epoch, so step points are thinned as `train` thins them;
    and the held-out test set's metrics end each stream."""
    configs = job_configs("sgd", jobs=JOBS[:2], batch_size=4, epochs=2,
                          data={"test_fraction": 0.2})
    results, streams, _ = packed_run(configs)
    assert_same_as_solo(configs, results, streams)
    assert streams[0][-1].type == TEST_METRICS


def test_one_job_packs_alone():
    configs = job_configs("adam", jobs=JOBS[:1])
    (result,), streams, _ = packed_run(configs)
    assert_same_as_solo(configs, [result], streams)  # and its INFO has no packed_with
    assert not result.model.training
    assert torch.equal(result.data.x_val, load_dataset(configs[0].data).x_val)
    assert result.epochs_completed == 4


def test_same_seed_different_lrs_start_from_the_same_weights():
    configs = job_configs("sgd", jobs=[(5, 0.01, 0.0, "constant"), (5, 0.1, 0.0, "constant")])
    results = train_packed(configs)
    assert_same_as_solo(configs, results)
    assert max_difference(results[0].model, results[1].model) > 0


def test_stop_ends_only_that_job_and_hands_it_over_at_once():
    configs = job_configs("adam")

    def stop_when(index, event):
        return (index, event.type, event.payload.get("scope"), event.payload.get("epoch")) == (
            1, METRIC, "epoch", 2)

    results, streams, ended = packed_run(configs, stop_when)
    # Stopped right after the event that answered STOP, as `train` stops.
    _, solo_events = run(configs[1], stop_when=lambda event: stop_when(1, event))
    assert_same_events(streams[1], solo_events, packed_with=2)
    assert streams[1][-1].payload == results[1].history[-1]
    assert results[1].stopped and results[1].epochs_completed == 2
    trained = results[1].train_result()
    assert trained.stopped and trained.summary["epochs_completed"] == 2
    assert not results[0].stopped and results[0].epochs_completed == 4
    assert ended == [1, 0, 2]  # the stopped job was handed over before the others ended


def test_a_diverging_job_is_reported_as_train_would_and_spares_the_others():
    model = {"hidden": [64, 64], "activation": "linear"}
    jobs = [(0, 10.0, 0.0, "constant"), (0, 0.01, 0.0, "constant")]
    configs = job_configs("sgd", jobs=jobs, model=model, dataset="digits")
    (diverging, healthy), streams, ended = packed_run(configs)
    solo_events = []
    with pytest.raises(TrainingDiverged) as caught:
        train(configs[0], solo_events.append)
    assert diverging.diverged is not None
    assert (diverging.diverged.epoch, diverging.diverged.step) == (
        caught.value.epoch, caught.value.step
    )
    assert str(diverging.diverged) == str(caught.value)
    assert_same_events(streams[0], solo_events, packed_with=1)  # up to where train raised
    assert ended == [0, 1]
    with pytest.raises(ValueError):
        diverging.train_result()
    assert healthy.diverged is None
    assert max_difference(run(configs[1])[0].model, healthy.model) <= 1e-5


def test_leaves_the_global_generator_as_it_found_it():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    train_packed(job_configs("sgd", jobs=JOBS[:2]))
    assert torch.equal(torch.rand(3), expected)


def with_changes(model=None, data=None, **optim):
    """A small adam MLP on moons, with some fields changed."""
    return make_config(model={**SMALL_MLP, **(model or {})}, data=data, **optim)


@pytest.mark.parametrize(
    ("other", "reason"),
    [
        (with_changes(model={"hidden": [16, 8]}), "model section"),
        (with_changes(model={"activation": "relu"}), "model section"),
        (with_changes(data={"n_samples": 400}), "data.n_samples"),
        (with_changes(data={"val_fraction": 0.3}), "data.val_fraction"),
        (with_changes(batch_size=16), "optim.batch_size"),
        (with_changes(epochs=5), "optim.epochs"),
        (with_changes(name="sgd"), "optim.name"),
    ],
)
def test_can_pack_names_the_setting_that_differs(other, reason):
    configs = [with_changes(), with_changes(data={"seed": 9}, lr=0.1), other]
    found = can_pack(configs)
    assert found is not None and "job 2" in found and reason in found
    with pytest.raises(ValueError, match=reason):
        train_packed(configs)


@pytest.mark.parametrize(
    ("config", "reason"),
    [
        (with_changes(model={"dropout": 0.2}), "dropout"),
        (with_changes(model={"batch_norm": True}), "batch_norm"),
        (make_config("cnn", "digits", model={"channels": [4]}), "only MLPs"),
        (make_config(eval={"cv_folds": 3}), "cross-validation"),
        (with_changes(early_stopping_patience=2), "early stopping"),
        (with_changes(log_grad_norms=True), "gradient norms"),
    ],
)
def test_can_pack_rejects_what_it_does_not_reproduce(config, reason):
    found = can_pack([config])
    assert found is not None and reason in found


def test_can_pack_accepts_jobs_that_differ_only_in_what_is_per_job():
    configs = [
        with_changes(),
        with_changes(data={"seed": 4, "noise": 0.3}, lr=0.1, weight_decay=0.01,
                     schedule="cosine"),
    ]
    assert can_pack(configs) is None
    assert can_pack([]) is not None


def test_pack_size_within_keeps_a_pack_inside_the_time_limit_without_any_speedup():
    config = with_changes(epochs=20)
    sizes = split_sizes(config.data)
    alone = budget.estimate_seconds(config, sizes.train, sizes.val)
    assert pack_size_within(config, 10 * alone + 1e-9) == 10
    assert pack_size_within(config, 10.5 * alone) == 10
    assert pack_size_within(config, alone / 2) == 1  # alone, it trains anyway
    longer = with_changes(epochs=200)
    assert pack_size_within(longer, 300) < pack_size_within(config, 300)
