"""Pages for a learner's training runs: the list, one run, its code, and a comparison."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render

from jobs import codegen, compare, history, presentation, selectors
from jobs.api.params import is_non_negative_int
from jobs.api.serializers import JobSerializer
from jobs.models import JobStatus, TrainedModel

MAX_LISTED = 200
LAB_TEXT = ("lab__instructions", "lab__instructions_html", "lab__preset_config", "lab__tunable")
MAX_COMPARED = 8
BEST_COLUMNS = {
    "val_loss": "lowest validation loss",
    "val_accuracy": "highest validation accuracy",
    "train_loss": "lowest train loss",
    "train_accuracy": "highest train accuracy",
}
CV_COLUMN = "cross-validation accuracy (mean ± s.d. across folds)"


@login_required
def my_runs(request):
    # Each run's lab for its title: not the lab's instructions nor its lesson's text, which
    # up to MAX_LISTED rows would each carry.
    jobs = (selectors.jobs_visible_to(user=request.user).select_related("lab")
            .defer(*LAB_TEXT))
    filters = {
        "status": request.GET.get("status", ""),
        "dataset": request.GET.get("dataset", ""),
        "lab": request.GET.get("lab", ""),
    }
    datasets = sorted({name for name in jobs.values_list("config__data__name", flat=True) if name})
    labs = selectors.labs_run_by(user=request.user)
    if filters["status"] in JobStatus.values:
        jobs = jobs.filter(status=filters["status"])
    if filters["dataset"]:
        jobs = jobs.filter(config__data__name=filters["dataset"])
    if filters["lab"] == "api":
        jobs = jobs.filter(lab__isnull=True)
    elif is_non_negative_int(filters["lab"]):
        jobs = jobs.filter(lab_id=int(filters["lab"]))
    jobs = list(jobs[:MAX_LISTED])
    # One query for the runs whose result keeps no best loss (GANs): read from history.
    lowest = history.lowest_val_losses(
        job.pk for job in jobs if presentation.needs_lowest_val_loss(job.result))
    for job in jobs:
        job.summary = presentation.config_summary(job.config)
        job.best = presentation.best_metric(job.result, lowest.get(job.pk))
    return render(
        request,
        "jobs/my_runs.html",
        {
            "jobs": jobs,
            "filters": filters,
            "statuses": JobStatus.choices,
            "datasets": datasets,
            "labs": labs,
            "max_compared": MAX_COMPARED,
        },
    )


def run_detail(request, job_id: int):
    """A run's page for its owner, and read-only for the instructors of the owner's classes.
    Anyone else sees a shared run at its share link, never by id."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    job = selectors.job_viewable_by(user=request.user, job_id=job_id)
    if job is None:
        raise Http404("No such run.")
    return _run_page(request, job)


def run_shared(request, share_token: str):
    """A shared run, read-only, for anyone holding its link (its owner included)."""
    job = selectors.job_shared_at(share_token=share_token)
    if job is None:
        raise Http404("No such shared run: its owner may have stopped sharing it.")
    return _run_page(request, job)


def _run_page(request, job):
    is_owner = job.owner_id == request.user.pk
    context = {"request": request, "viewed_by_share_link": not is_owner}
    job_data = JobSerializer(job, context=context).data
    try:
        code, code_missing = codegen.pytorch_script(job.config, title=f"Run #{job.pk}"), ""
    except codegen.NotCovered as exc:
        code, code_missing = "", str(exc)
    return render(
        request,
        "jobs/run_detail.html",
        {
            "job": job,
            "job_data": job_data,
            "is_owner": is_owner,
            # Downloads by a visitor carry the share token, as the API asks of them.
            "share_query": "" if is_owner else "?" + urlencode({"share": job.share_token}),
            "has_model": TrainedModel.objects.filter(job=job).exists(),
            "summary": presentation.config_summary(job.config),
            "code": code,
            "code_missing": code_missing,
        },
    )


@login_required
def compare_runs(request):
    ids = [int(i) for i in request.GET.getlist("ids") if is_non_negative_int(i)][:MAX_COMPARED]
    jobs = list(selectors.jobs_visible_to(user=request.user).filter(pk__in=ids).order_by("pk"))
    if len(jobs) < 2:
        messages.info(request, "Tick at least two of your runs to compare them.")
        return redirect("my-runs")
    data = compare.compare_data(jobs)
    table = compare.config_table([job.config for job in jobs])
    columns = [key for key in BEST_COLUMNS if any(key in run["best"] for run in data["runs"])]
    cv_cells = [presentation.cv_accuracy(job.result) for job in jobs]
    show_cv = any(cv_cells)
    best = []
    for job, run, cv_cell in zip(jobs, data["runs"], cv_cells, strict=True):
        cells = [_best_cell(key, run["best"].get(key)) for key in columns]
        if show_cv:
            cells.append(cv_cell or "–")
        best.append(
            {"job": job, "cells": cells, "summary": presentation.config_summary(job.config)}
        )
    headers = [BEST_COLUMNS[key] for key in columns] + ([CV_COLUMN] if show_cv else [])
    return render(
        request,
        "jobs/compare.html",
        {
            "jobs": jobs,
            "data": data,
            "best_rows": best,
            "best_columns": headers,
            "differing": [row for row in table if row.differs],
            "same": [row for row in table if not row.differs],
            "groups": data["groups"],
        },
    )


def _best_cell(key: str, best: dict | None) -> str:
    if best is None:
        return "–"
    value = f"{best['value'] * 100:.1f}%" if key.endswith("accuracy") else f"{best['value']:.4f}"
    return f"{value} (epoch {best['epoch']})"
