"""/runs/ "Best": a loss at its lowest, even for a GAN, whose result keeps no best value."""

import re

import pytest

from jobs import history, services
from jobs.models import JobStatus
from training_worker import runner

GAN = {
    "model": {"kind": "gan", "hidden": [32, 32], "latent_dim": 4},
    "data": {"name": "mixture", "n_samples": 600, "noise": 0.1, "val_fraction": 0.2, "seed": 0},
    "optim": {"name": "adam", "lr": 0.01, "batch_size": 64, "epochs": 8},
}


@pytest.mark.django_db
def test_a_gans_best_is_its_lowest_validation_loss(client, user):
    job = services.job_submit(user=user, config=GAN)
    runner.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    rows = history.epoch_rows(history.metric_events([job.pk])[job.pk])
    losses = [row["val_loss"] for row in rows]
    assert len(losses) == 8
    assert min(losses) < losses[-1], "pick a config whose last epoch is not its lowest"
    assert job.result["val_loss"] == losses[-1]

    client.force_login(user)
    html = client.get("/runs/").content.decode()
    best = re.search(r'<td class="run-best">([^<]*)</td>', html).group(1)
    assert best == f"{min(losses):.4g} lowest val. loss"


@pytest.mark.django_db
def test_a_classifiers_best_is_its_highest_validation_accuracy(client, user, moons_config):
    job = services.job_submit(user=user, config=moons_config)
    runner.job_run(job_id=job.pk)
    job.refresh_from_db()
    client.force_login(user)
    html = client.get("/runs/").content.decode()
    best = re.search(r'<td class="run-best">([^<]*)</td>', html).group(1)
    assert best == (f"{job.result['best_val_accuracy'] * 100:.1f}% best val. accuracy "
                    f"(epoch {job.result['best_val_accuracy_epoch']})")
