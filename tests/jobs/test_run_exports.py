"""Exports of a run's history (CSV, JSON) and its code, owner-only like every job route."""

import csv
import io
import re
import subprocess
import sys

import pytest
import torch

from jobs import codegen, services
from jobs.models import JobStatus


def finished_run(user, config, *, val_losses=(0.6, 0.4, 0.5), accuracy=True):
    """A job that "ran" len(val_losses) epochs, with two step metrics per epoch."""
    job = services.job_submit(user=user, config=config)
    services.job_start(job_id=job.pk)
    events, step = [], 0
    for epoch, val_loss in enumerate(val_losses, start=1):
        for _ in range(2):
            step += 1
            events.append(
                (
                    "metric",
                    {"scope": "step", "epoch": epoch, "step": step, "train_loss": 1.0 / step},
                )
            )
        row = {
            "scope": "epoch",
            "epoch": epoch,
            "epochs": len(val_losses),
            "step": step,
            "train_loss": 1.0 / step,
            "val_loss": val_loss,
        }
        if accuracy:
            row.update(train_accuracy=0.5 + epoch / 10, val_accuracy=0.9 - val_loss / 2)
        events.append(("metric", row))
    services.record_events(job_id=job.pk, events=events)
    services.job_finish(job_id=job.pk, status=JobStatus.SUCCEEDED, result={})
    return job


@pytest.mark.django_db
def test_csv_export_has_one_row_per_metric_event(api, user, moons_config):
    job = finished_run(user, moons_config)
    response = api.get(f"/api/v1/jobs/{job.pk}/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 9  # 3 epochs x (2 step rows + 1 epoch row)
    assert [r["scope"] for r in rows[:3]] == ["step", "step", "epoch"]
    assert float(rows[2]["val_loss"]) == 0.6
    assert rows[0]["val_loss"] == ""  # a step row has no validation loss
    assert {"seq", "epoch", "step", "train_loss", "val_accuracy"} <= set(rows[0])


@pytest.mark.django_db
def test_csv_export_of_a_run_without_accuracy(api, user, moons_config):
    job = finished_run(user, moons_config, accuracy=False)
    header = api.get(f"/api/v1/jobs/{job.pk}/export.csv").content.decode().splitlines()[0]
    assert "val_loss" in header and "accuracy" not in header


@pytest.mark.django_db
def test_csv_export_ignores_the_accept_header(api, user, moons_config):
    job = finished_run(user, moons_config)
    assert api.get(f"/api/v1/jobs/{job.pk}/export.csv", HTTP_ACCEPT="text/csv").status_code == 200


@pytest.mark.django_db
def test_json_export_holds_config_and_every_event(api, user, moons_config):
    job = finished_run(user, moons_config)
    body = api.get(f"/api/v1/jobs/{job.pk}/export.json").json()
    assert body["config"]["data"]["name"] == "moons"
    assert body["status"] == "succeeded"
    assert [e["seq"] for e in body["events"]] == list(range(1, len(body["events"]) + 1))


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["export.csv", "export.json", "code.py"])
def test_exports_are_404_for_someone_else(client, other_user, user, moons_config, suffix):
    job = finished_run(user, moons_config)
    client.force_login(other_user)
    assert client.get(f"/api/v1/jobs/{job.pk}/{suffix}").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["export.csv", "export.json", "code.py"])
def test_exports_need_authentication(client, user, moons_config, suffix):
    job = finished_run(user, moons_config)
    assert client.get(f"/api/v1/jobs/{job.pk}/{suffix}").status_code in (401, 403)


@pytest.mark.django_db
def test_code_download_is_a_python_file(api, user, moons_config):
    job = finished_run(user, moons_config)
    response = api.get(f"/api/v1/jobs/{job.pk}/code.py")
    assert response.status_code == 200
    assert "nn.Sequential(" in response.content.decode()
    assert response["Content-Disposition"].endswith('.py"')


def test_generated_mlp_script_runs_and_learns(tmp_path, moons_config):
    from engine import parse_config

    config = parse_config(
        {
            **moons_config,
            "model": {**moons_config["model"], "dropout": 0.1, "batch_norm": True},
            "optim": {**moons_config["optim"], "schedule": "step"},
        }
    ).to_dict()
    script = tmp_path / "run.py"
    script.write_text(codegen.pytorch_script(config))
    done = subprocess.run(
        [sys.executable, str(script), "--epochs", "8"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("final validation accuracy:")
    assert float(last.split(":")[1]) >= 0.85, done.stdout


def test_generated_script_uses_adamw_and_restores_the_lowest_validation_loss(
    tmp_path, moons_config
):
    from engine import parse_config

    optim = {**moons_config["optim"], "name": "adamw", "weight_decay": 0.01, "lr": 0.05,
             "early_stopping_patience": 8, "restore_best": True}
    config = parse_config({**moons_config, "optim": optim}).to_dict()
    script = tmp_path / "run.py"
    script.write_text(codegen.pytorch_script(config))
    assert "torch.optim.AdamW(" in script.read_text()
    done = subprocess.run(
        [sys.executable, str(script), "--epochs", "8"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    losses = {int(m[1]): float(m[2]) for m in re.finditer(
        r"epoch +(\d+) .*validation loss ([0-9.]+)", done.stdout)}
    assert sorted(losses) == list(range(1, 9)), done.stdout
    restored = re.search(r"restored the weights of epoch (\d+) \(lowest validation loss "
                         r"([0-9.]+)\)", done.stdout)
    assert restored, done.stdout
    best_epoch = min(losses, key=losses.get)
    assert int(restored[1]) == best_epoch
    assert float(restored[2]) == pytest.approx(losses[best_epoch], abs=1e-4)


@pytest.mark.parametrize("init", ["xavier", "he", "normal"])
def test_generated_script_draws_the_initial_weights_and_clips_as_the_run(
    monkeypatch, moons_config, init
):
    """The script's second layer (16 to 16 units) has the spread the engine gives it (std
    0.5/√16 for "normal" at scale 0.5), zero biases, and it clips the gradient before each
    step."""
    from engine import parse_config

    model = {**moons_config["model"], "init": init, "init_scale": 0.5}
    optim = {**moons_config["optim"], "clip_grad_norm": 0.5}
    config = parse_config({**moons_config, "model": model, "optim": optim}).to_dict()
    script = codegen.pytorch_script(config)
    assert "clip_grad_norm_(model.parameters(), CLIP_GRAD_NORM)" in script
    assert "CLIP_GRAD_NORM = 0.5" in script
    # Run the script up to its model, then measure the model it built.
    monkeypatch.setattr(sys, "argv", ["run.py"])
    namespace = {}
    exec(compile(script.split("# --- optimizer")[0], "run.py", "exec"), namespace)
    second = namespace["model"][2]
    expected_std = {"xavier": (2 / 32) ** 0.5, "he": (2 / 16) ** 0.5, "normal": 0.5 / 4}[init]
    assert float(second.weight.detach().std()) == pytest.approx(expected_std, rel=0.15)
    assert not second.bias.any()


def test_generated_script_puts_layer_norm_where_the_engine_does(monkeypatch, moons_config):
    from engine import parse_config
    from engine.models import build_model

    parsed = parse_config({**moons_config, "model": {**moons_config["model"], "layer_norm": True}})
    script = codegen.pytorch_script(parsed.to_dict())
    monkeypatch.setattr(sys, "argv", ["run.py"])
    namespace = {}
    exec(compile(script.split("# --- optimizer")[0], "run.py", "exec"), namespace)
    engine_model = build_model(parsed.model, parsed.data)
    assert [type(layer) for layer in namespace["model"]] == [
        type(layer) for layer in engine_model]
    assert any(isinstance(layer, torch.nn.LayerNorm) for layer in engine_model)


def test_generated_script_keeps_pytorchs_default_initialization(moons_config):
    script = codegen.pytorch_script(moons_config)
    assert "nn.init." not in script and "CLIP_GRAD_NORM = 0.0" in script


@pytest.mark.parametrize("dataset", ["spiral", "xor", "gaussians", "circles", "digits"])
def test_generated_script_compiles_for_every_covered_dataset(dataset, moons_config):
    from engine import parse_config

    raw = {**moons_config, "data": {**moons_config["data"], "name": dataset}}
    compile(codegen.pytorch_script(parse_config(raw).to_dict()), "run.py", "exec")


def test_generated_cnn_script_runs_and_learns(tmp_path):
    from engine import parse_config

    config = parse_config(
        {
            "model": {"kind": "cnn", "channels": [8, 16], "batch_norm": True, "dropout": 0.1},
            "data": {"name": "digits", "n_samples": 600, "seed": 0},
            "optim": {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": 10},
        }
    ).to_dict()
    script = tmp_path / "run.py"
    script.write_text(codegen.pytorch_script(config))
    done = subprocess.run(
        [sys.executable, str(script), "--epochs", "4"], capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    assert "nn.Conv2d(1, 8" in script.read_text()
    assert float(done.stdout.strip().splitlines()[-1].split(":")[1]) >= 0.8, done.stdout


def test_uncovered_kinds_say_so(moons_config):
    config = {**moons_config, "model": {"kind": "gan"}}
    with pytest.raises(codegen.NotCovered, match="gan"):
        codegen.pytorch_script(config)
    config = {**moons_config, "model": {"kind": "cnn"}, "data": {"name": "shapes"}}
    with pytest.raises(codegen.NotCovered, match="shapes"):
        codegen.pytorch_script(config)
    config = {**moons_config, "data": {**moons_config["data"], "minority_fraction": 0.1}}
    with pytest.raises(codegen.NotCovered, match="minority_fraction"):
        codegen.pytorch_script(config)
    config = {**moons_config, "optim": {**moons_config["optim"], "class_weights": "balanced"}}
    with pytest.raises(codegen.NotCovered, match="class_weights"):
        codegen.pytorch_script(config)


def test_generated_cnn_script_strides_as_the_engine(monkeypatch):
    """Stride 2 on the 8x8 digits: 8 -> 4 -> 2, then stride 1 (1x1 maps would be too small);
    the script's model has the engine's parameter count and output."""
    import torch

    from engine import parse_config
    from engine.models import build_model, count_parameters

    config = parse_config({
        "model": {"kind": "cnn", "channels": [4, 8, 8], "stride": 2, "pool": False},
        "data": {"name": "digits", "n_samples": 600, "seed": 0},
        "optim": {"name": "adam", "lr": 0.01, "epochs": 1},
    })
    script = codegen.pytorch_script(config.to_dict())
    monkeypatch.setattr(sys, "argv", ["run.py"])
    namespace = {}
    exec(compile(script.split("# --- optimizer")[0], "run.py", "exec"), namespace)
    ours, engines = namespace["model"], build_model(config.model, config.data)
    assert count_parameters(ours) == count_parameters(engines)
    strides = [m.stride for m in ours.modules() if isinstance(m, torch.nn.Conv2d)]
    assert strides == [(2, 2), (2, 2), (1, 1)]
    assert ours(torch.zeros(3, 64)).shape == (3, 10)


def test_residual_cnns_are_not_covered_yet(moons_config):
    config = {**moons_config, "model": {"kind": "cnn", "residual": True},
              "data": {**moons_config["data"], "name": "digits"}}
    with pytest.raises(codegen.NotCovered, match="Residual"):
        codegen.pytorch_script(config)
