"""The compare page and the My runs filters."""

import json
import re

import pytest

from jobs import compare
from tests.jobs.test_run_exports import finished_run


def with_seed(config, seed):
    return {**config, "data": {**config["data"], "seed": seed}}


def compare_data(html: str) -> dict:
    match = re.search(
        r'<script id="compare-data" type="application/json">(.*?)</script>', html, re.S
    )
    return json.loads(match.group(1))


@pytest.mark.django_db
def test_compare_shows_only_differing_config_fields(client, user, moons_config):
    a = finished_run(user, moons_config)
    b = finished_run(user, {**moons_config, "optim": {**moons_config["optim"], "lr": 0.1}})
    client.force_login(user)
    html = client.get(f"/runs/compare/?ids={a.pk}&ids={b.pk}").content.decode()
    differing = re.search(r'<table class="compare-config">(.*?)</table>', html, re.S).group(1)
    assert "optim.lr" in differing
    assert "model.hidden" not in differing and "data.name" not in differing
    assert "lowest validation loss" in html
    assert "0.4000 (epoch 2)" in html  # the best of 0.6, 0.4, 0.5


@pytest.mark.django_db
def test_repeated_seeds_become_a_mean_and_std_band(client, user, moons_config):
    a = finished_run(user, with_seed(moons_config, 1), val_losses=(0.6, 0.4))
    b = finished_run(user, with_seed(moons_config, 2), val_losses=(0.4, 0.2, 0.1))
    c = finished_run(user, {**moons_config, "optim": {**moons_config["optim"], "lr": 0.1}})
    client.force_login(user)
    data = compare_data(
        client.get(f"/runs/compare/?ids={a.pk}&ids={b.pk}&ids={c.pk}").content.decode()
    )
    [group] = data["groups"]
    assert sorted(group["job_ids"]) == [a.pk, b.pk]
    assert group["epochs"] == [1, 2]  # the epochs both repeats reached
    assert group["mean"]["val_loss"] == pytest.approx([0.5, 0.3])
    # The sample standard deviation (ddof 1) of two values is |a - b| / sqrt(2).
    assert group["std"]["val_loss"] == pytest.approx([0.2 / 2**0.5, 0.2 / 2**0.5])


@pytest.mark.django_db
def test_compare_ignores_someone_elses_runs(client, user, other_user, moons_config):
    mine = finished_run(user, moons_config)
    also_mine = finished_run(user, with_seed(moons_config, 3))
    theirs = finished_run(other_user, moons_config)
    client.force_login(user)
    html = client.get(f"/runs/compare/?ids={mine.pk}&ids={also_mine.pk}&ids={theirs.pk}")
    ids = [run["id"] for run in compare_data(html.content.decode())["runs"]]
    assert ids == [mine.pk, also_mine.pk]


@pytest.mark.django_db
def test_compare_needs_two_runs(client, user, moons_config):
    job = finished_run(user, moons_config)
    client.force_login(user)
    assert client.get(f"/runs/compare/?ids={job.pk}").status_code == 302


def test_config_table_marks_differences():
    rows = compare.config_table([{"a": {"x": 1, "y": [1, 2]}}, {"a": {"x": 1, "y": [1, 3]}}])
    assert [(row.path, row.differs) for row in rows] == [("a.y", True), ("a.x", False)]


@pytest.mark.django_db
def test_my_runs_filters_by_status_and_dataset(client, user, moons_config):
    done = finished_run(user, moons_config)
    circles = {**moons_config, "data": {**moons_config["data"], "name": "circles"}}
    from jobs import services

    queued = services.job_submit(user=user, config=circles)
    client.force_login(user)
    html = client.get("/runs/?status=succeeded").content.decode()
    assert f"/runs/{done.pk}/" in html and f"/runs/{queued.pk}/" not in html
    html = client.get("/runs/?dataset=circles").content.decode()
    assert f"/runs/{queued.pk}/" in html and f"/runs/{done.pk}/" not in html
    html = client.get("/runs/?lab=api").content.decode()
    assert f"/runs/{queued.pk}/" in html and f"/runs/{done.pk}/" in html
    assert 'name="ids"' in html  # the checkboxes of the compare form


@pytest.mark.django_db
def test_run_page_shows_the_pytorch_code_and_downloads(client, user, moons_config):
    job = finished_run(user, moons_config)
    client.force_login(user)
    html = client.get(f"/runs/{job.pk}/").content.decode()
    assert "Show the PyTorch code" in html and "nn.Sequential(" in html
    assert f"/api/v1/jobs/{job.pk}/export.csv" in html
    assert f"/api/v1/jobs/{job.pk}/export.json" in html
