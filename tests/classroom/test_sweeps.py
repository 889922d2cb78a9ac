"""Sweeps: a lab's preset over a grid of values × seeds, as ordinary jobs within the limits,
and each grid value's mean ± std computed from the runs the worker stored."""

import statistics

import pytest
from django.core.exceptions import PermissionDenied

from classroom import services, sweep_selectors
from classroom.models import Sweep
from classroom.sweeps import SweepInvalid
from jobs import limits
from jobs.models import JobLimits, JobStatus, TrainingJob
from lessons.models import Lab
from tests.classroom.conftest import TINY
from training_worker import runner


def sweep(owner, lab, grid=None, seeds=2) -> Sweep:
    grid = {"optim.lr": [0.01, 0.1]} if grid is None else grid
    return services.sweep_create(owner=owner, lab=lab, grid=grid,
                                 seeds=seeds)


def test_a_sweep_queues_one_lab_run_per_value_and_seed(instructor, tiny_lab):
    made = sweep(instructor, tiny_lab, seeds=[3, 7])

    runs = list(made.runs.select_related("job").order_by("id"))
    assert [(run.point["optim.lr"], run.seed) for run in runs] == [
        (0.01, 3), (0.01, 7), (0.1, 3), (0.1, 7)]
    for run in runs:
        assert run.job.status == JobStatus.QUEUED and run.job.lab == tiny_lab
        assert run.job.owner == instructor
        assert run.job.config["optim"]["lr"] == run.point["optim.lr"]
        assert run.job.config["data"]["seed"] == run.seed
        assert run.job.config["model"] == tiny_lab.preset_config["model"]
    assert made.base_config == tiny_lab.preset_config
    assert made.seeds == [3, 7]


def test_two_fields_make_a_grid(instructor, tiny_lab):
    made = sweep(instructor, tiny_lab, grid={"optim.lr": [0.01, 0.1], "model.hidden": [[4], [8]]},
                 seeds=1)
    points = [run.point for run in made.runs.order_by("id")]
    assert points == [{"optim.lr": lr, "model.hidden": h}
                      for lr in (0.01, 0.1) for h in ([4], [8])]


def test_content_authors_sweep_too_and_learners_cannot(author, learner, tiny_lab):
    assert sweep(author, tiny_lab).runs.count() == 4
    with pytest.raises(PermissionDenied):
        sweep(learner, tiny_lab)
    assert not TrainingJob.objects.filter(owner=learner).exists()


@pytest.mark.parametrize(("grid", "seeds", "field", "words"), [
    ({"optim.lr": [0.01, 2.0]}, 2, "grid.optim.lr", "this lab allows 0.001 to 0.5 (got 2)"),
    ({"optim.epochs": [1, 2]}, 2, "grid.optim.epochs", "not a tunable field"),
    ({"data.seed": [1, 2]}, 2, "grid.data.seed", "seeds are given by `seeds`"),
    ({"optim.lr": []}, 2, "grid.optim.lr", "non-empty list"),
    ({"optim.lr": [0.1, 0.1]}, 2, "grid.optim.lr", "once"),
    ({}, 2, "grid", "one or two"),
    ({"optim.lr": [0.1], "model.hidden": [[4]], "optim.batch_size": [1]}, 2, "grid", "one or two"),
    ({"model.hidden": [[4, 4, 4]]}, 2, "grid.model.hidden", "at most 2 layers"),
    ({"optim.lr": [0.1]}, 0, "seeds", "at least 1"),
    ({"optim.lr": [0.1]}, [1, 1], "seeds", "once"),
    ({"optim.lr": [0.1]}, [-1], "seeds", "whole number"),
    ({"optim.lr": [0.1]}, "3", "seeds", "count"),
])  # fmt: skip
def test_a_bad_grid_is_refused_naming_the_field(instructor, tiny_lab, grid, seeds, field, words):
    with pytest.raises(SweepInvalid) as refused:
        sweep(instructor, tiny_lab, grid=grid, seeds=seeds)
    assert words in refused.value.errors[field]
    assert not TrainingJob.objects.exists() and not Sweep.objects.exists()


def test_a_sweep_over_the_cap_is_refused_with_the_arithmetic(instructor, tiny_lab):
    JobLimits.objects.update_or_create(pk=1, defaults={"max_sweep_runs": 12})
    with pytest.raises(SweepInvalid) as refused:
        sweep(instructor, tiny_lab, grid={"optim.lr": [0.01, 0.05, 0.1]}, seeds=5)
    assert refused.value.errors["grid"] == (
        "a sweep may hold at most 12 runs; 3 values × 5 seeds make 15")
    assert sweep(instructor, tiny_lab, grid={"optim.lr": [0.01, 0.05, 0.1]}, seeds=4)


def test_sweep_runs_take_the_sweep_allowance_not_the_learner_concurrent_limit(
        instructor, tiny_lab):
    JobLimits.objects.update_or_create(pk=1, defaults={"max_concurrent_jobs": 3,
                                                       "max_sweep_runs": 15})
    first = sweep(instructor, tiny_lab, grid={"optim.lr": [0.01, 0.05, 0.1]}, seeds=3)
    assert first.runs.count() == 9  # beyond the 3 concurrent jobs a learner may have
    with pytest.raises(limits.LimitReached) as refused:  # 9 active + 9 > 15
        sweep(instructor, tiny_lab, grid={"optim.lr": [0.01, 0.05, 0.1]}, seeds=3)
    assert "9 sweep runs queued or running" in str(refused.value)
    assert Sweep.objects.count() == 1 and TrainingJob.objects.count() == 9


def test_the_hourly_and_queue_limits_count_every_sweep_run(instructor, tiny_lab):
    JobLimits.objects.update_or_create(pk=1, defaults={"max_jobs_per_hour": 5})
    with pytest.raises(limits.LimitReached, match="limit of 5 jobs in any hour"):
        sweep(instructor, tiny_lab, grid={"optim.lr": [0.01, 0.05, 0.1]}, seeds=2)
    JobLimits.objects.update_or_create(pk=1, defaults={"max_jobs_per_hour": 60,
                                                       "max_queued_jobs": 5})
    with pytest.raises(limits.QueueFull):
        sweep(instructor, tiny_lab, grid={"optim.lr": [0.01, 0.05, 0.1]}, seeds=2)
    assert not TrainingJob.objects.exists()


def test_engine_schema_and_budget_errors_name_the_grid_value(instructor, lesson):
    slow = {**TINY, "model": {**TINY["model"], "hidden": [256, 256, 256]},
            "data": {**TINY["data"], "n_samples": 5000},
            "optim": {**TINY["optim"], "batch_size": 1, "epochs": 1}}
    lab = Lab(lesson=lesson, title="Slow", slug="slow", preset_config=slow, tunable={
        "model.hidden": {}, "optim.epochs": {}})
    lab.full_clean()
    lab.save()
    with pytest.raises(SweepInvalid) as refused:
        sweep(instructor, lab, grid={"model.hidden": [[8], [100000]]})
    assert refused.value.errors == {
        "grid.model.hidden": "[100000]: must be between 1 and 256 (got 100000)"}
    with pytest.raises(SweepInvalid) as refused:
        sweep(instructor, lab, grid={"optim.epochs": [1, 200]})
    assert refused.value.errors["grid.optim.epochs"].startswith("200: this run would take")
    assert not TrainingJob.objects.exists()


def test_each_instructor_sees_only_their_own_sweeps(instructor, other_instructor, learner,
                                                    tiny_lab):
    mine = sweep(instructor, tiny_lab)
    theirs = sweep(other_instructor, tiny_lab)
    assert list(sweep_selectors.sweeps_owned_by(user=instructor)) == [mine]
    assert sweep_selectors.sweep_for_owner(user=instructor, sweep_id=theirs.pk) is None
    assert sweep_selectors.sweep_for_owner(user=other_instructor, sweep_id=theirs.pk) == theirs
    assert not sweep_selectors.sweeps_owned_by(user=learner).exists()


def test_report_gives_each_value_the_mean_and_std_of_its_trained_runs(instructor, tiny_lab):
    made = sweep(instructor, tiny_lab)
    jobs = [run.job for run in made.runs.order_by("id")]
    for job in jobs[:3]:
        runner.job_run(job_id=job.pk)

    report = sweep_selectors.sweep_report(sweep=made)

    assert report.progress == {"queued": 1, "running": 0, "succeeded": 3, "failed": 0,
                               "cancelled": 0, "total": 4}
    assert not report.finished
    low, high = report.points
    assert (low.label, high.label) == ("optim.lr = 0.01", "optim.lr = 0.1")
    stored = [TrainingJob.objects.get(pk=job.pk).result["val_accuracy"] for job in jobs[:3]]
    assert low.metrics["val_accuracy"].mean == pytest.approx(statistics.fmean(stored[:2]))
    assert low.metrics["val_accuracy"].std == pytest.approx(statistics.stdev(stored[:2]))
    assert low.metrics["val_accuracy"].n == 2
    # The queued run is counted, not averaged: one run, so no spread yet.
    assert high.metrics["val_accuracy"].mean == pytest.approx(stored[2])
    assert high.metrics["val_accuracy"].std is None and high.statuses == {
        "succeeded": 1, "queued": 1}
    assert "fairness.demographic_parity_difference" not in report.metrics  # moons has no groups

    curves = sweep_selectors.sweep_curves(report)
    done, half_done = curves["groups"]
    assert done["name"] == "optim.lr = 0.01" and done["job_ids"] == [j.pk for j in jobs[:2]]
    assert len(done["mean"]["val_loss"]) == 3 == len(done["std"]["val_loss"])
    assert half_done["name"] == "optim.lr = 0.1" and half_done["mean"] == {}  # no common epoch
    assert curves["runs"][2]["label"] == f"#{jobs[2].pk} (optim.lr = 0.1)"
