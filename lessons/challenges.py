"""Challenges graded by training: which of a learner's runs count, and whether one passes.

A run counts for a lab's challenge when it succeeded, belongs to the learner, and is a run of
that lab: submitted with the lab (from the lesson page, or through the API with `"lab": <id>`),
or submitted without a lab but with a config that is the lab's preset except for the
challenge's allowed fields. Its config must stay within the challenge's bounds, and its model
within `max_params`. The grade reads the run's summary as the worker stored it
(`TrainingJob.result`): nothing the browser sends is trusted. The status is computed from
the stored runs whenever it is read, so it can never disagree with them.
"""

import operator
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db.models import Q, QuerySet

from jobs.models import JobStatus, TrainingJob
from lessons.challenge_rules import METRICS, is_number
from lessons.labs import check_lab_config
from lessons.models import Challenge, ChallengeOp

_COMPARE = {
    ChallengeOp.AT_LEAST: operator.ge,
    ChallengeOp.ABOVE: operator.gt,
    ChallengeOp.AT_MOST: operator.le,
    ChallengeOp.BELOW: operator.lt,
}


def allowed_fields(challenge: Challenge) -> dict:
    """The fields a learner may change for this challenge, with their bounds."""
    return challenge.bounds or challenge.lab.tunable or {}


def goal_text(challenge: Challenge) -> str:
    """The goal in words: "validation accuracy (last epoch) at least 0.95, ≤ 500 parameters"."""
    op = ChallengeOp(challenge.op).label
    text = f"{METRICS.get(challenge.metric, challenge.metric)} {op} {challenge.target:g}"
    if challenge.also_metric:
        also_op = ChallengeOp(challenge.also_op).label
        text += (f", while {METRICS.get(challenge.also_metric, challenge.also_metric)} "
                 f"{also_op} {challenge.also_target:g}")
    if challenge.max_params is not None:
        text += f", with at most {challenge.max_params} parameters"
    return text


def metric_value(result: dict | None, metric: str) -> float | None:
    value: Any = result or {}
    for part in metric.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return float(value) if is_number(value) else None


def _meets(op: str, value: float | None, target: float | None) -> bool:
    """Whether a run's number meets a condition (a run missing the number has a reason
    already, so it is never compared)."""
    return value is not None and target is not None and _COMPARE[ChallengeOp(op)](value, target)


@dataclass
class RunGrade:
    job: TrainingJob
    reasons: dict[str, str]  # why the run does not count; empty when it counts
    value: float | None
    passed: bool
    also_value: float | None = None  # the second condition's number, when there is one

    @property
    def counts(self) -> bool:
        return not self.reasons


def grade_run(challenge: Challenge, job: TrainingJob) -> RunGrade:
    """Grade one succeeded run against a challenge, from its stored config and summary."""
    rules = SimpleNamespace(preset_config=challenge.lab.preset_config,
                            tunable=allowed_fields(challenge))
    reasons = {
        path: reason.replace("this lab", "this challenge")
        for path, reason in check_lab_config(rules, job.config).items()
    }
    n_params = (job.result or {}).get("n_params")
    if challenge.max_params is not None and (
        not is_number(n_params) or n_params > challenge.max_params
    ):
        reasons["parameters"] = (
            f"this challenge allows at most {challenge.max_params} parameters (got {n_params})"
        )
    value = metric_value(job.result, challenge.metric)
    also_value = metric_value(job.result, challenge.also_metric) if challenge.also_metric else None
    for metric, number in ((challenge.metric, value), (challenge.also_metric, also_value)):
        if metric and number is None and not reasons:
            reasons[metric] = "the run reported no such number"
    passed = not reasons and _meets(challenge.op, value, challenge.target) and (
        not challenge.also_metric or _meets(challenge.also_op, also_value, challenge.also_target)
    )
    return RunGrade(job=job, reasons=reasons, value=value, passed=passed, also_value=also_value)


@dataclass
class ChallengeStatus:
    challenge: Challenge
    runs_counted: int = 0
    best: RunGrade | None = None  # the counted run nearest the goal
    latest_uncounted: RunGrade | None = None  # the newest lab run that does not count, if newest
    grades: list[RunGrade] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.best is not None and self.best.passed

    @property
    def goal(self) -> str:
        return goal_text(self.challenge)


def _better(challenge: Challenge, a: RunGrade, b: RunGrade | None) -> bool:
    if b is None:
        return True
    if a.passed != b.passed:
        return a.passed
    if challenge.op in (ChallengeOp.AT_LEAST, ChallengeOp.ABOVE):
        return a.value > b.value
    return a.value < b.value


def _status(challenge: Challenge, jobs: list[TrainingJob]) -> ChallengeStatus:
    status = ChallengeStatus(challenge)
    for job in sorted(jobs, key=lambda j: j.pk):  # oldest first: the newest is seen last
        grade = grade_run(challenge, job)
        if job.lab_id is None and not grade.counts:
            continue  # an API run of something else, not an attempt at this lab
        status.grades.append(grade)
        if grade.counts:
            status.runs_counted += 1
            if _better(challenge, grade, status.best):
                status.best = grade
    if status.grades and not status.grades[-1].counts:
        status.latest_uncounted = status.grades[-1]
    return status


def challenge_statuses(
    *, users, challenges, runs: list[TrainingJob] | None = None
) -> dict[tuple[int, int], ChallengeStatus]:
    """Each (user id, challenge id) → ChallengeStatus, for many learners at once (2 queries:
    the challenges' labs are expected loaded, e.g. select_related("lab")). `runs`: the users'
    runs as challenge_runs reads them, when the caller has them already (one read for a
    lesson page's newest runs and its challenges)."""
    challenges = list(challenges)
    user_ids = [getattr(u, "pk", u) for u in users]
    if not challenges or not user_ids:
        return {}
    by_lab = {c.lab_id: c for c in challenges}
    if runs is None:
        runs = list(challenge_runs(user_ids=user_ids, challenges=challenges)
                    .filter(status=JobStatus.SUCCEEDED))
    by_user_and_challenge: dict[tuple[int, int], list[TrainingJob]] = defaultdict(list)
    for job in runs:
        if job.status != JobStatus.SUCCEEDED:
            continue
        targets = ([by_lab[job.lab_id]] if job.lab_id in by_lab
                   else challenges if job.lab_id is None else [])
        for challenge in targets:
            by_user_and_challenge[(job.owner_id, challenge.pk)].append(job)
    return {
        (user_id, c.pk): _status(c, by_user_and_challenge.get((user_id, c.pk), []))
        for user_id in user_ids
        for c in challenges
    }


def challenge_runs(*, user_ids, challenges, labs=()) -> QuerySet[TrainingJob]:
    """The users' runs of the challenges' labs and of `labs`, whatever their status, and
    their runs without a lab on a challenge's data set (which count when their config is
    the lab's preset but for the allowed fields), with what grading reads."""
    datasets = {c.lab.preset_config.get("data", {}).get("name") for c in challenges}
    lab_ids = {c.lab_id for c in challenges} | {lab.pk for lab in labs}
    return (
        TrainingJob.objects.filter(owner_id__in=user_ids)
        .filter(Q(lab_id__in=lab_ids)
                | Q(lab__isnull=True, status=JobStatus.SUCCEEDED,
                    config__data__name__in=datasets))
        .only("id", "owner_id", "lab_id", "config", "result", "created_at", "status")
    )


def challenge_status(*, user, challenge: Challenge) -> ChallengeStatus:
    return challenge_statuses(users=[user], challenges=[challenge])[(user.pk, challenge.pk)]


def challenges_of(*, labs=None, course=None):
    """Challenges of these labs, or of a course's lessons, with their labs loaded."""
    challenges = Challenge.objects.select_related("lab__lesson__module__course")
    if labs is not None:
        challenges = challenges.filter(lab__in=labs)
    if course is not None:
        challenges = challenges.filter(lab__lesson__module__course=course)
    return challenges.order_by(
        "lab__lesson__module__order", "lab__lesson__order", "lab__order", "id"
    )
