"""Pages of sweeps, for instructors and content authors: start one from a lab, list yours,
and a sweep's page (progress, each grid point's mean ± std curves and final metrics). A
learner gets 403; a sweep that is not yours is a 404."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render

from classroom import services, sweep_selectors
from classroom.sweeps import SEED_PATH, SweepInvalid
from engine import ConfigError
from jobs import limits

# A sweep's page reloads itself this often while runs are queued or running.
REFRESH_S = 5


def parse_values(text: str) -> list:
    """ "0.01, 0.1" → [0.01, 0.1]; "[8], [16, 16]" → [[8], [16, 16]]; "none, group_label"
    → ["none", "group_label"]: JSON values separated by commas, bare words as strings."""
    text = text.strip()
    if not text:
        return []
    try:
        return json.loads(f"[{text}]")
    except json.JSONDecodeError:
        values = []
        for part in text.split(","):
            try:
                values.append(json.loads(part))
            except json.JSONDecodeError:
                values.append(part.strip())
        return values


class SweepForm(forms.Form):
    field_1 = forms.ChoiceField(label="Vary")
    values_1 = forms.CharField(label="over the values", max_length=500,
                               help_text="Separated by commas, e.g. 0.01, 0.1, 1")
    field_2 = forms.ChoiceField(label="and (optional)", required=False)
    values_2 = forms.CharField(label="over the values", max_length=500, required=False)
    seeds = forms.IntegerField(label="Seeds per value", min_value=1, initial=3,
                               help_text="Each grid point runs with data.seed 0, 1, … n − 1.")

    def __init__(self, *args, lab, **kwargs):
        super().__init__(*args, **kwargs)
        paths = [(p, p) for p in (lab.tunable or {}) if p != SEED_PATH]
        self.fields["field_1"].choices = paths
        self.fields["field_2"].choices = [("", "nothing else"), *paths]

    def clean(self):
        data = super().clean()
        if data.get("field_2") and data.get("field_2") == data.get("field_1"):
            self.add_error("field_2", "Choose a different field, or nothing.")
        if data.get("field_2") and not parse_values(data.get("values_2", "")):
            self.add_error("values_2", "Give the values for this field.")
        return data

    def grid(self) -> dict:
        data = self.cleaned_data
        grid = {data["field_1"]: parse_values(data["values_1"])}
        if data.get("field_2"):
            grid[data["field_2"]] = parse_values(data["values_2"])
        return grid

    def add_sweep_errors(self, errors: dict[str, str], grid: dict) -> None:
        """Put each of the service's errors beside the form field it is about."""
        slot = {f"grid.{path}": f"values_{i}" for i, path in enumerate(grid, start=1)}
        for key, reason in errors.items():
            name = slot.get(key) or {"seeds": "seeds"}.get(key)
            # "grid" is about the whole grid (its size): said above the form, as it is.
            self.add_error(name, reason if name or key == "grid" else f"{key}: {reason}")


def _may_sweep_or_403(request) -> None:
    if not sweep_selectors.may_sweep(request.user):
        raise PermissionDenied("Only instructors and content authors can run sweeps.")


@login_required
def sweep_create(request, lab_id: int):
    """GET: the sweep form for a lab. POST: start the sweep, then show its page."""
    _may_sweep_or_403(request)
    lab = sweep_selectors.lab_for_sweep(user=request.user, lab_id=lab_id)
    if lab is None:
        raise Http404("No such lab.")
    form = SweepForm(request.POST or None, lab=lab)
    if form.is_valid():  # never for a GET: its form is unbound
        grid = form.grid()
        try:
            sweep = services.sweep_create(owner=request.user, lab=lab, grid=grid,
                                          seeds=form.cleaned_data["seeds"])
        except SweepInvalid as exc:
            form.add_sweep_errors(exc.errors, grid)
        except ConfigError as exc:
            form.add_error(None, "; ".join(f"{k}: {v}" for k, v in exc.errors.items()))
        except (limits.LimitReached, limits.QueueFull) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Sweep started: {sweep.runs.count()} runs queued.")
            return redirect("sweep-detail", sweep_id=sweep.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "classroom/sweep_form.html", {"lab": lab, "form": form},
                  status=status)


@login_required
def sweep_list(request):
    _may_sweep_or_403(request)
    sweeps = sweep_selectors.sweeps_owned_by(user=request.user)[:50]
    return render(request, "classroom/sweep_list.html", {"sweeps": sweeps})


def _cell(spread, n_runs: int) -> str:
    """"0.8300 ± 0.0424"; how many runs it averages when not all of the value's runs."""
    if spread.mean is None:
        return "–"
    text = f"{spread.mean:.4f}" if spread.std is None else f"{spread.mean:.4f} ± {spread.std:.4f}"
    return text if spread.n == n_runs else f"{text} (of {spread.n} run{'s' * (spread.n > 1)})"


@login_required
def sweep_detail(request, sweep_id: int):
    _may_sweep_or_403(request)
    sweep = sweep_selectors.sweep_for_owner(user=request.user, sweep_id=sweep_id)
    if sweep is None:
        raise Http404("No such sweep.")
    report = sweep_selectors.sweep_report(sweep=sweep)
    rows = [{"point": point,
             "cells": [_cell(point.metrics[path], len(point.job_ids)) for path in report.metrics]}
            for point in report.points]
    return render(request, "classroom/sweep_detail.html", {
        "sweep": sweep, "report": report, "rows": rows,
        "data": sweep_selectors.sweep_curves(report),
        "refresh_s": None if report.finished else REFRESH_S,
    })
