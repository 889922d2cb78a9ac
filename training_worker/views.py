"""Pages for a learner's training runs: the list, one run, its code, and a comparison."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render

from lessons.models import Lab
from training_worker import codegen, compare, history, presentation, selectors
from training_worker.api.serializers import JobSerializer
from training_worker.models import JobStatus, TrainedModel

MAX_LISTED = 200
MAX_COMPARED = 8
BEST_COLUMNS = {
    "val_loss": "lowest validation loss",
    "val_accuracy": "highest validation accuracy",
    "train_loss": "lowest train loss",
    "train_accuracy": "highest train accuracy",
}


@login_required
def my_runs(request):
    jobs = selectors.jobs_visible_to(user=request.user).select_related("lab__lesson")
    filters = {
        "status": request.GET.get("status", ""),
        "dataset": request.GET.get("dataset", ""),
        "lab": request.GET.get("lab", ""),
    }
    datasets = sorted({name for name in jobs.values_list("config__data__name", flat=True) if name})
    labs = Lab.objects.filter(jobs__owner=request.user).distinct().order_by("title")
    if filters["status"] in JobStatus.values:
        jobs = jobs.filter(status=filters["status"])
    if filters["dataset"]:
        jobs = jobs.filter(config__data__name=filters["dataset"])
    if filters["lab"] == "api":
        jobs = jobs.filter(lab__isnull=True)
    elif filters["lab"].isdigit():
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
        "training_worker/my_runs.html",
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
    job = selectors.job_viewable_by(user=request.user, job_id=job_id)
    if job is None and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if job is None:
        raise Http404("No such run.")
    job_data = JobSerializer(job, context={"request": request}).data
    try:
        code, code_missing = codegen.pytorch_script(job.config, title=f"Run #{job.pk}"), ""
    except codegen.NotCovered as exc:
        code, code_missing = "", str(exc)
    return render(
        request,
        "training_worker/run_detail.html",
        {
            "job": job,
            "job_data": job_data,
            "is_owner": job.owner_id == request.user.pk,
            "has_model": TrainedModel.objects.filter(job=job).exists(),
            "summary": presentation.config_summary(job.config),
            "code": code,
            "code_missing": code_missing,
        },
    )


@login_required
def compare_runs(request):
    ids = [int(i) for i in request.GET.getlist("ids") if i.isdigit()][:MAX_COMPARED]
    jobs = list(selectors.jobs_visible_to(user=request.user).filter(pk__in=ids).order_by("pk"))
    if len(jobs) < 2:
        messages.info(request, "Tick at least two of your runs to compare them.")
        return redirect("my-runs")
    data = compare.compare_data(jobs)
    table = compare.config_table([job.config for job in jobs])
    columns = [key for key in BEST_COLUMNS if any(key in run["best"] for run in data["runs"])]
    best = []
    for job, run in zip(jobs, data["runs"], strict=True):
        cells = [_best_cell(key, run["best"].get(key)) for key in columns]
        best.append(
            {"job": job, "cells": cells, "summary": presentation.config_summary(job.config)}
        )
    return render(
        request,
        "training_worker/compare.html",
        {
            "jobs": jobs,
            "data": data,
            "best_rows": best,
            "best_columns": [BEST_COLUMNS[key] for key in columns],
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
