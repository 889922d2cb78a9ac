"""The run page names what each number follows: the early stop's lowest-loss epoch, the
restored weights, and cross-validation's ± as the sample s.d. with its standard error;
runs stored under the old names still read correctly."""

import re

import pytest

from jobs import services
from jobs.models import JobStatus, TrainingJob
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_compare_runs import wait_until_done
from tests.browser.test_live_lab import log_in

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# A wide MLP on 100 noisy points: its validation loss turns up within a few epochs.
RESTORED_CV_RUN = {
    "model": {"kind": "mlp", "hidden": [256, 256]},
    "data": {"name": "moons", "n_samples": 1000, "noise": 0.3, "train_size": 100},
    "optim": {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": 60,
              "early_stopping_patience": 5, "restore_best": True},
    "eval": {"cv_folds": 2},
}


def panel_text(page, live_platform, job, *panels) -> list[str]:
    page.goto(f"{live_platform.url}/runs/{job.pk}/")
    last_seq = TrainingJob.objects.get(pk=job.pk).last_seq
    page.wait_for_function(  # every stored event received and drawn
        "(n) => window.liveRun.lastSeq === n && window.liveRun.pending.length === 0"
        " && !window.liveRun.frameRequested", arg=last_seq)
    return [page.locator(f".run-panel-{panel}").inner_text() for panel in panels]


def old_named_run(user, config) -> TrainingJob:
    """A run as stored before the renames: early_stop's best_epoch, the population s.d."""
    job = services.job_submit(user=user, config=config)
    services.job_start(job_id=job.pk)
    rows = [("metric", {"scope": "epoch", "epoch": epoch, "epochs": 3, "step": epoch,
                        "train_loss": 0.5, "val_loss": loss, "train_accuracy": 0.8,
                        "val_accuracy": 0.8}) for epoch, loss in ((1, 0.6), (2, 0.4), (3, 0.5))]
    services.record_events(job_id=job.pk, events=[
        *rows,
        ("early_stop", {"epoch": 3, "best_epoch": 2, "best_val_loss": 0.4, "patience": 1}),
        ("cv_summary", {"folds": [{"fold": 1, "val_accuracy": 0.8, "macro_f1": 0.8, "epochs": 3},
                                  {"fold": 2, "val_accuracy": 0.9, "macro_f1": 0.9, "epochs": 3}],
                        "mean_val_accuracy": 0.85, "std_val_accuracy": 0.05,
                        "mean_macro_f1": 0.85, "std_macro_f1": 0.05}),
    ])
    services.job_finish(job_id=job.pk, status=JobStatus.SUCCEEDED, result={})
    return job


def test_run_page_names_restored_weights_and_the_cross_validation_spread(
    live_platform, page, user
):
    job = services.job_submit(user=user, config=RESTORED_CV_RUN)
    old = old_named_run(user, {**RESTORED_CV_RUN, "optim": {
        **RESTORED_CV_RUN["optim"], "restore_best": False}})
    wait_until_done([job], timeout=180)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    log_in(page, live_platform.url, "/runs/")

    early, restored, cv = panel_text(page, live_platform, job, "early", "restored", "cv")
    stop = job.events.filter(type="early_stop").order_by("seq").last().payload
    assert (f"Lowest validation loss {stop['best_val_loss']:.3f} at epoch "
            f"{stop['best_val_loss_epoch']}; the model gets that epoch's weights back.") in early
    assert f"the weights of epoch {job.result['weights_epoch']}, the lowest validation loss" \
        in restored
    summary = job.result["cv"]
    assert re.search(
        rf"± {summary['std_val_accuracy'] * 100:.1f}% \(sample s\.d\. across 2 folds; "
        rf"standard error of the mean {summary['sem_val_accuracy'] * 100:.1f}%\)", cv), cv
    page.locator(".run-view").screenshot(path=str(SCREENSHOTS / "run-names-restored-cv.png"))

    early, cv = panel_text(page, live_platform, old, "early", "cv")
    assert ("Lowest validation loss 0.400 at epoch 2; the model keeps epoch 3's weights."
            in early)
    assert "85.0% ± 5.0% (population s.d. across folds)" in cv
    assert page.locator(".run-panel-restored").count() == 0
