"""Packing on the platform: a worker that starts a small job trains the compatible queued
jobs with it, each ending as its own run, with the curves a solo run would have."""

import pytest
from django.utils import timezone

from engine import budget, parse_config
from engine.config_rules import split_sizes
from engine.datasets import load_dataset
from jobs import limits, services
from jobs.models import JobStatus, TrainingJob
from tests.engine.support import assert_same_payload
from training_worker import packing as packing_module
from training_worker import runner
from training_worker.pack_recording import PackShares


def moons(seed: int, lr: float = 0.01, **model) -> dict:
    return {
        "model": {"kind": "mlp", "hidden": [16, 16], "activation": "relu", **model},
        "data": {"name": "moons", "n_samples": 300, "val_fraction": 0.2, "seed": seed},
        "optim": {"name": "adam", "lr": lr, "batch_size": 32, "epochs": 4},
    }


@pytest.fixture
def packing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PACK_MAX_JOBS = 8


def epochs_of(job: TrainingJob) -> list[dict]:
    return [event.payload for event in job.events.filter(type="metric").order_by("seq")
            if event.payload["scope"] == "epoch"]


@pytest.mark.django_db
def test_queued_compatible_jobs_train_together_with_solo_curves(user, other_user, packing):
    jobs = [services.job_submit(user=user, config=moons(seed)) for seed in (0, 1)]
    jobs.append(services.job_submit(user=other_user, config=moons(2, lr=0.03)))
    different = services.job_submit(user=user, config=moons(0, hidden=[8]))

    runner.job_run(job_id=jobs[0].pk, worker="w1")

    for job in jobs:
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED, job.error
        assert job.worker == "w1"
        info = job.events.get(type="info").payload
        assert info["packed_with"] == 2
        assert job.events.filter(type="confusion_matrix").count() == 4  # every epoch's
        assert hasattr(job, "model")
    different.refresh_from_db()
    assert different.status == JobStatus.QUEUED  # another architecture: left for its turn

    # The companions' own messages arrive later: their start is refused, nothing re-runs.
    runner.job_run(job_id=jobs[1].pk, worker="w2")
    jobs[1].refresh_from_db()
    assert jobs[1].worker == "w1" and jobs[1].events.filter(type="info").count() == 1

    # The same config trained alone gives the same epochs.
    settings_off = services.job_submit(user=user, config=moons(1))
    from django.conf import settings

    settings.PACK_MAX_JOBS = 1
    runner.job_run(job_id=settings_off.pk)
    solo = epochs_of(TrainingJob.objects.get(pk=settings_off.pk))
    packed = epochs_of(jobs[1])
    assert [p["epoch"] for p in packed] == [1, 2, 3, 4]
    for ours, theirs in zip(packed, solo, strict=True):
        assert ours["val_accuracy"] == theirs["val_accuracy"]
        assert ours["val_loss"] == pytest.approx(theirs["val_loss"], rel=1e-5)
    assert jobs[1].result["val_accuracy"] == solo[-1]["val_accuracy"]
    # Each packed model is stored with its own data's normalization, as a solo run's is.
    for job in jobs:
        expected = load_dataset(parse_config(job.config).data).normalization.as_dict()
        assert job.model.normalization == expected and len(expected["shift"]) == 2
    assert (jobs[1].model.normalization
            == TrainingJob.objects.get(pk=settings_off.pk).model.normalization)
    # Its viewer saw what a solo run shows: every event, in order, the same values (step
    # points, per-epoch matrices and pictures), INFO adding whom it was packed with.
    streamed, alone = (
        list(job.events.exclude(type="status").order_by("seq").values_list("type", "payload"))
        for job in (jobs[1], settings_off))
    assert [kind for kind, _ in streamed] == [kind for kind, _ in alone]
    assert sum(kind == "metric" and p["scope"] == "step" for kind, p in streamed) == 4 * 8
    streamed[0][1].pop("packed_with")
    for (kind, ours), (_, theirs) in zip(streamed, alone, strict=True):
        assert_same_payload(ours, theirs, kind)
    assert_same_payload(jobs[1].result, TrainingJob.objects.get(pk=settings_off.pk).result)


@pytest.mark.django_db
def test_a_job_cancelled_while_packed_ends_cancelled_and_the_others_finish(
    user, packing, settings
):
    settings.EVENT_FLUSH_MAX_EVENTS = 1  # every event is stored at once, and reads the flag
    first = services.job_submit(user=user, config=moons(0))
    second = services.job_submit(user=user, config=moons(1))
    TrainingJob.objects.filter(pk=second.pk).update(cancel_requested=True)

    runner.job_run(job_id=first.pk)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == JobStatus.SUCCEEDED
    assert second.status == JobStatus.CANCELLED
    # Stopped at its first event, which read the flag, as a solo run would be; and ended
    # then, not when the pack ended: the other trained on after it.
    assert list(second.events.exclude(type="status").values_list("type", flat=True)) == [
        "info"]
    assert len(epochs_of(first)) == 4
    last_epoch_of_first = first.events.filter(type="metric").order_by("-seq").first()
    assert second.finished_at < last_epoch_of_first.created_at
    assert second.result["epochs_completed"] == 0


@pytest.mark.django_db
def test_a_job_that_cannot_be_packed_trains_alone(user, packing):
    with_dropout = services.job_submit(user=user, config=moons(0, dropout=0.2))
    waiting = services.job_submit(user=user, config=moons(1, dropout=0.2))
    runner.job_run(job_id=with_dropout.pk)
    with_dropout.refresh_from_db()
    waiting.refresh_from_db()
    assert with_dropout.status == JobStatus.SUCCEEDED
    assert "packed_with" not in with_dropout.events.get(type="info").payload
    assert waiting.status == JobStatus.QUEUED


@pytest.mark.django_db
def test_a_pack_whose_jobs_are_all_cancelled_stops_at_once(user, packing, settings):
    settings.EVENT_FLUSH_MAX_EVENTS = 1
    jobs = [services.job_submit(user=user, config={**moons(seed), "optim": {
        **moons(seed)["optim"], "epochs": 200}}) for seed in (0, 1)]
    TrainingJob.objects.filter(pk__in=[job.pk for job in jobs]).update(cancel_requested=True)
    runner.job_run(job_id=jobs[0].pk)
    for job in jobs:
        job.refresh_from_db()
        assert job.status == JobStatus.CANCELLED
        assert len(epochs_of(job)) <= 2


@pytest.mark.django_db
def test_a_gpu_worker_does_not_pack(user, packing, settings):
    settings.TRAINING_DEVICE = "cuda:0"
    first = services.job_submit(user=user, config=moons(0))
    second = services.job_submit(user=user, config=moons(1))
    from training_worker import packing as packing_module

    started = services.job_start(job_id=first.pk, worker="gpu-host:1")
    assert packing_module.claim_companions(started, worker="gpu-host:1") == []
    assert TrainingJob.objects.get(pk=second.pk).status == JobStatus.QUEUED


@pytest.mark.django_db
def test_a_worker_packs_no_more_jobs_than_the_time_limit_holds(
    user, other_user, packing, settings
):
    """Every job of a pack ends with it: the pack holds no more jobs than would fit half the
    time limit if packing saved nothing."""
    config = parse_config(moons(0))
    sizes = split_sizes(config.data)
    alone = budget.estimate_seconds(config, sizes.train, sizes.val)
    settings.JOB_TIME_LIMIT_S = 2 * 2.5 * alone  # half of it holds two such runs, not three
    first = services.job_submit(user=user, config=moons(0))
    others = [services.job_submit(user=owner, config=moons(seed))
              for owner, seed in ((user, 1), (user, 2), (other_user, 3))]

    started = services.job_start(job_id=first.pk, worker="w1")
    claimed = packing_module.claim_companions(started, worker="w1")
    assert [job.pk for job in claimed] == [others[0].pk]


@pytest.mark.django_db
def test_a_packed_run_is_charged_its_share_of_the_pack_not_the_whole_pack(
    user, other_user, packing
):
    """A learner's daily training time counts a packed run's share of its pack's time
    (1/k while k jobs train together), so the pack's time is charged once in all."""
    mine = [services.job_submit(user=user, config=moons(seed)) for seed in (0, 1)]
    theirs = services.job_submit(user=other_user, config=moons(2))

    runner.job_run(job_id=mine[0].pk, worker="w1")

    jobs = list(TrainingJob.objects.filter(pk__in=[job.pk for job in [*mine, theirs]]))
    assert all(job.status == JobStatus.SUCCEEDED for job in jobs)
    pack_seconds = (max(job.finished_at for job in jobs)
                    - min(job.started_at for job in jobs)).total_seconds()
    shares = [job.training_time.total_seconds() for job in jobs]
    assert all(share > 0 for share in shares)
    assert sum(shares) <= pack_seconds
    # The three trained together to the end: each is charged about a third of its time.
    for job, share in zip(jobs, shares, strict=True):
        assert share < (job.finished_at - job.started_at).total_seconds() / 2
    own = TrainingJob.objects.filter(owner=user)
    walls = sum((job.finished_at - job.started_at).total_seconds() for job in own)
    used = limits._training_seconds_since(own, min(job.created_at for job in jobs))
    assert used == int(sum(job.training_time.total_seconds() for job in own)) < walls
    # And the one query that the submission checks read says the same.
    counts = limits._submission_counts(user, since_hour=timezone.now(),
                                       since_day=min(job.created_at for job in jobs))
    assert int(counts["used"].total_seconds()) == used


def test_shares_split_the_pack_time_among_the_jobs_training():
    now = [0.0]
    shares = PackShares(3, clock=lambda: now[0])
    now[0] = 3.0
    assert shares.leave(1) == 1.0  # three trained for 3 s
    now[0] = 5.0
    assert shares.leave(0) == 2.0  # then two for 2 s
    assert shares.leave(2) == 2.0
