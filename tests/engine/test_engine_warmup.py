"""Linear learning-rate warmup (optim.warmup_epochs): its closed form, torch's schedulers that
the generated script uses for it, its validation, and the rates a run trains with."""

import math

import pytest
import torch
from torch import nn

from engine import ConfigError, parse_config, supervised
from engine.optimizers import learning_rate
from engine.packed import can_pack, train_packed
from jobs import codegen
from tests.engine.support import epoch_metrics, make_config, run


def expected_rates(lr, epochs, warmup, schedule, step_size=2, gamma=0.5):
    """The schedule written out by hand: a ramp lr·e/(W+1), then the schedule over the rest."""
    ramp = [lr * e / (warmup + 1) for e in range(1, warmup + 1)]
    rest = epochs - warmup
    if schedule == "cosine":
        after = [lr * (1 + math.cos(math.pi * k / rest)) / 2 for k in range(rest)]
    elif schedule == "step":
        after = [lr * gamma ** (k // step_size) for k in range(rest)]
    else:
        after = [lr] * rest
    return ramp + after


@pytest.mark.parametrize("schedule", ["constant", "cosine", "step"])
def test_warmup_ramps_linearly_then_runs_the_schedule_over_the_remaining_epochs(schedule):
    cfg = make_config(lr=0.1, epochs=10, warmup_epochs=4, schedule=schedule, step_size=2,
                      gamma=0.5).optim
    rates = [learning_rate(cfg, epoch) for epoch in range(1, 11)]
    assert rates == pytest.approx(expected_rates(0.1, 10, 4, schedule))
    assert rates[:5] == pytest.approx([0.02, 0.04, 0.06, 0.08, 0.1])  # reaches lr at W + 1


def test_no_warmup_leaves_the_schedules_as_they_were():
    cfg = make_config(lr=0.1, epochs=10, schedule="cosine").optim
    assert cfg.warmup_epochs == 0
    assert [learning_rate(cfg, e) for e in (1, 6, 10)] == pytest.approx(
        [0.1, 0.05, 0.1 * (1 + math.cos(math.pi * 9 / 10)) / 2])


@pytest.mark.parametrize("schedule", ["constant", "cosine", "step"])
def test_the_generated_scripts_scheduler_gives_the_engines_rates(schedule):
    """The code a run page offers builds torch's SequentialLR(LinearLR, …) for the warmup."""
    cfg = make_config(lr=0.1, epochs=9, warmup_epochs=3, schedule=schedule, step_size=2,
                      gamma=0.5)
    optimizer = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.1)
    scheduler = eval(codegen._schedule_code(cfg.to_dict()["optim"]),  # noqa: S307 - our code
                     {"torch": torch, "optimizer": optimizer, "EPOCHS": 9})
    for epoch in range(1, 10):
        assert optimizer.param_groups[0]["lr"] == pytest.approx(learning_rate(cfg.optim, epoch))
        optimizer.step()
        scheduler.step()


@pytest.mark.parametrize(
    ("warmup", "reason"),
    [(5, "must be less than optim.epochs (5)"), (9, "must be less than optim.epochs (5)"),
     (-1, "between 0 and 199"), (1.5, "must be an integer")],
)
def test_warmup_must_leave_an_epoch_at_the_full_rate(warmup, reason):
    raw = {"model": {"kind": "mlp"}, "data": {"name": "moons"},
           "optim": {"name": "adam", "lr": 0.01, "epochs": 5, "warmup_epochs": warmup}}
    with pytest.raises(ConfigError) as error:
        parse_config(raw)
    assert list(error.value.errors) == ["optim.warmup_epochs"]
    assert reason in error.value.errors["optim.warmup_epochs"]


def test_each_epoch_trains_with_the_warmed_up_rate_and_reports_it(monkeypatch):
    used: list[float] = []
    build = supervised.build_optimizer

    def recording_build(cfg, params):
        optimizer = build(cfg, params)
        optimizer.register_step_pre_hook(lambda opt, *_: used.append(opt.param_groups[0]["lr"]))
        return optimizer

    monkeypatch.setattr(supervised, "build_optimizer", recording_build)
    cfg = make_config(data={"n_samples": 100}, batch_size=40, epochs=4, lr=0.09,
                      warmup_epochs=2, name="momentum")
    _, events = run(cfg)
    expected = [0.03, 0.06, 0.09, 0.09]
    assert [m["lr"] for m in epoch_metrics(events)] == pytest.approx(expected)
    assert used == pytest.approx([lr for lr in expected for _ in range(2)])


def test_the_generated_script_with_warmup_compiles():
    config = make_config(epochs=8, warmup_epochs=2, schedule="cosine").to_dict()
    script = codegen.pytorch_script(config)
    assert "SequentialLR" in script and "T_max=EPOCHS - 2" in script
    compile(script, "run.py", "exec")


def test_packed_jobs_warm_up_each_by_its_own_warmup():
    """A worker packing jobs gives each its own warmup, as training it alone does."""
    configs = [make_config(data={"seed": seed}, model={"hidden": [16, 16]}, name="adam",
                           lr=0.02, epochs=4, warmup_epochs=warmup, schedule="cosine")
               for seed, warmup in [(1, 0), (2, 1), (3, 3)]]
    assert can_pack(configs) is None
    for config, packed in zip(configs, train_packed(configs), strict=True):
        _, events = run(config)
        solo = epoch_metrics(events)
        assert [p["lr"] for p in packed.history] == pytest.approx([p["lr"] for p in solo])
        assert [p["lr"] for p in packed.history] == pytest.approx(
            expected_rates(0.02, 4, config.optim.warmup_epochs, "cosine"))
        assert [p["val_loss"] for p in packed.history] == pytest.approx(
            [p["val_loss"] for p in solo], abs=1e-5)
