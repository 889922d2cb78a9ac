"""Reads of sweeps, and the one place that decides who may run and see them: instructors
and content authors (the "add sweep" permission of their role groups), each seeing only
their own sweeps; a learner sees none."""

import json
import statistics
from dataclasses import dataclass, field

from django.db.models import QuerySet

from classroom.models import Sweep, SweepRun
from classroom.sweeps import point_label
from jobs import compare
from jobs.models import JobStatus
from lessons.challenges import metric_value
from lessons.models import Lab
from lessons.selectors import lessons_visible_to

# The final numbers of a run (its stored summary) a sweep summarizes per grid point:
# path in TrainingJob.result → words for the page.
SWEEP_METRICS = {
    "val_accuracy": "validation accuracy",
    "val_loss": "validation loss",
    "train_accuracy": "training accuracy",
    "train_loss": "training loss",
    "fairness.demographic_parity_difference": "demographic-parity difference",
    "fairness.equal_opportunity_difference": "equal-opportunity difference",
}
STATUSES = [s.value for s in JobStatus]


def may_sweep(user) -> bool:
    return bool(user and user.is_authenticated
                and (user.is_superuser or user.has_perm("classroom.add_sweep")))


def sweeps_owned_by(*, user) -> QuerySet[Sweep]:
    if not may_sweep(user):
        return Sweep.objects.none()
    return Sweep.objects.filter(owner=user).select_related("lab__lesson")


def sweep_for_owner(*, user, sweep_id: int) -> Sweep | None:
    """The sweep if `user` started it; None otherwise (callers answer 404 either way)."""
    return sweeps_owned_by(user=user).filter(pk=sweep_id).first()


def lab_for_sweep(*, user, lab_id) -> Lab | None:
    """A lab `user` may see (staff see draft lessons' labs), or None."""
    return Lab.objects.filter(pk=lab_id, lesson__in=lessons_visible_to(user=user)).first()


@dataclass
class Spread:
    mean: float | None
    std: float | None  # sample standard deviation (ddof 1) across seeds; None below 2 runs
    n: int


@dataclass
class PointResult:
    point: dict
    label: str
    job_ids: list[int] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    metrics: dict[str, Spread] = field(default_factory=dict)


@dataclass
class SweepReport:
    sweep: Sweep
    progress: dict[str, int]  # status → runs, and "total"
    points: list[PointResult]
    metrics: dict[str, str]  # the SWEEP_METRICS some run reported, in order
    jobs: list = field(default_factory=list)

    @property
    def finished(self) -> bool:
        active = self.progress[JobStatus.QUEUED] + self.progress[JobStatus.RUNNING]
        return active == 0


def _spread(values: list[float]) -> Spread:
    if not values:
        return Spread(None, None, 0)
    std = statistics.stdev(values) if len(values) > 1 else None
    return Spread(statistics.fmean(values), std, len(values))


def sweep_report(*, sweep: Sweep) -> SweepReport:
    """Progress, and per grid point the mean ± std of each final metric over the point's
    succeeded runs (runs still going, failed or cancelled are counted, not averaged)."""
    runs = list(SweepRun.objects.filter(sweep=sweep).select_related("job").order_by("id"))
    progress = dict.fromkeys(STATUSES, 0)
    points: dict[str, PointResult] = {}
    for run in runs:
        progress[run.job.status] += 1
        key = json.dumps(run.point, sort_keys=True)
        result = points.setdefault(key, PointResult(run.point, point_label(run.point)))
        result.job_ids.append(run.job_id)
        result.statuses[run.job.status] = result.statuses.get(run.job.status, 0) + 1
    progress["total"] = len(runs)
    reported = set()
    for result in points.values():
        done = [r.job for r in runs if r.job_id in result.job_ids
                and r.job.status == JobStatus.SUCCEEDED]
        for path in SWEEP_METRICS:
            values = [v for job in done if (v := metric_value(job.result, path)) is not None]
            result.metrics[path] = _spread(values)
            if values:
                reported.add(path)
    return SweepReport(
        sweep=sweep, progress=progress, points=list(points.values()),
        metrics={path: words for path, words in SWEEP_METRICS.items() if path in reported},
        jobs=[run.job for run in runs],
    )


def sweep_curves(report: SweepReport) -> dict:
    """What the compare page's chart draws (jobs/compare.py), for the sweep's
    runs: each grid point's repeats as one mean ± std band, named by its values."""
    data = compare.compare_data(report.jobs)
    label_of = {job_id: p.label for p in report.points for job_id in p.job_ids}
    for group in data["groups"]:
        group["name"] = label_of[group["job_ids"][0]]
    for run in data["runs"]:
        run["label"] = f"#{run['id']} ({label_of[run['id']]})"
    return data
