"""Every kind of run draws its own streams on its run page, replayed from history."""

import pytest

from jobs import services
from jobs.models import JobEvent, JobStatus, TrainingJob
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_compare_runs import wait_until_done
from tests.browser.test_live_lab import log_in

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

OPTIM = {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": 3}

# (name, config, panels the run page must show)
RUNS = [
    ("cnn", {"model": {"kind": "cnn"}, "data": {"name": "digits", "n_samples": 200},
             "optim": {**OPTIM, "epochs": 2}}, ["filters", "feature-maps", "report"]),
    ("rnn-series", {"model": {"kind": "rnn"}, "data": {"name": "series"}, "optim": OPTIM},
     ["forecast"]),
    ("rnn-text", {"model": {"kind": "rnn"}, "data": {"name": "text"}, "optim": OPTIM},
     ["text-sample", "report"]),
    ("autoencoder", {"model": {"kind": "autoencoder"}, "data": {"name": "digits"},
                     "optim": OPTIM}, ["reconstructions", "latent"]),
    ("gan-points", {"model": {"kind": "gan"}, "data": {"name": "mixture"}, "optim": OPTIM},
     ["surface"]),
    ("gan-images", {"model": {"kind": "gan"}, "data": {"name": "digits"}, "optim": OPTIM},
     ["gan-images"]),
    ("mlp-cv-test", {"model": {"kind": "mlp"},
                     "data": {"name": "spiral", "test_fraction": 0.2},
                     "optim": OPTIM, "eval": {"cv_folds": 3}}, ["boundary", "cv", "test"]),
    ("mlp-hiring", {"model": {"kind": "mlp"},
                    "data": {"name": "hiring", "group_b_share": 0.2, "label_bias": 0.4},
                    "optim": OPTIM}, ["fairness", "report", "roc", "pr", "calibration"]),
    ("vae", {"model": {"kind": "vae"}, "data": {"name": "digits"}, "optim": OPTIM},
     ["latent-grid", "gan-images", "reconstructions", "latent"]),
]


def test_each_kind_of_run_draws_its_panels(live_platform, page, user):
    jobs = []
    for start in range(0, len(RUNS), 3):  # a learner may have 3 runs going at once
        batch = [services.job_submit(user=user, config=config)
                 for _, config, _ in RUNS[start:start + 3]]
        wait_until_done(batch, timeout=120)
        jobs += batch
    log_in(page, live_platform.url, "/runs/")
    for (name, _, panels), job in zip(RUNS, jobs, strict=True):
        assert TrainingJob.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED, name
        page.goto(f"{live_platform.url}/runs/{job.pk}/")
        last_seq = TrainingJob.objects.get(pk=job.pk).last_seq
        page.wait_for_function(  # every stored event received and drawn
            "(n) => window.liveRun.lastSeq === n && window.liveRun.pending.length === 0"
            " && !window.liveRun.frameRequested", arg=last_seq)
        for panel in panels:
            if page.locator(f".run-panel-{panel}").count() != 1:
                types = {e.type for e in JobEvent.objects.filter(job=job)}
                raise AssertionError(f"{name}: no {panel} panel; events: {sorted(types)}")
        page.locator(".run-view").screenshot(path=str(SCREENSHOTS / f"panels-{name}.png"))
