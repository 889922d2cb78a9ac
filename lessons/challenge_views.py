"""What a lab's challenge box shows: the goal, what may be changed, and the learner's status."""

from dataclasses import dataclass

from jobs.selectors import latest_job_ids_by_lab
from lessons.challenges import (
    METRICS,
    ChallengeStatus,
    RunGrade,
    allowed_fields,
    challenge_runs,
    challenge_statuses,
    goal_text,
)
from lessons.models import Challenge


def _bounds_text(bounds: dict) -> str:
    parts = []
    if "choices" in bounds:
        parts.append("one of " + ", ".join(str(c) for c in bounds["choices"]))
    if "min" in bounds and "max" in bounds:
        parts.append(f"{bounds['min']:g} to {bounds['max']:g}")
    elif "min" in bounds:
        parts.append(f"at least {bounds['min']:g}")
    elif "max" in bounds:
        parts.append(f"at most {bounds['max']:g}")
    if "max_layers" in bounds:
        parts.append(f"at most {bounds['max_layers']} layers")
    if "min_layers" in bounds:
        parts.append(f"at least {bounds['min_layers']} layers")
    if "max_units" in bounds:
        parts.append(f"at most {bounds['max_units']} units per layer")
    return "; ".join(parts) or "any value"


def _value_text(challenge: Challenge, value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") if value is not None else "–"


def _reached(challenge: Challenge, grade: RunGrade) -> str:
    """"0.045", or with a second condition "0.045 with validation accuracy 0.8675"."""
    text = _value_text(challenge, grade.value)
    if challenge.also_metric:
        words = METRICS.get(challenge.also_metric, challenge.also_metric)
        text += f" with {words} {_value_text(challenge, grade.also_value)}"
    return text


def status_text(status: ChallengeStatus) -> str:
    """One sentence: passed with which run, the best try so far, or nothing counted yet."""
    best = status.best
    if best is not None and best.passed:
        return f"Passed: run #{best.job.pk} reached {_reached(status.challenge, best)}."
    if best is not None:
        return (f"Not passed yet. Your best run so far, #{best.job.pk}, reached "
                f"{_reached(status.challenge, best)}.")
    return "No run of yours counts yet: train to try."


def uncounted_text(status: ChallengeStatus) -> str:
    """Why the learner's latest run does not count, or "" when it does (or there is none)."""
    grade = status.latest_uncounted
    if grade is None:
        return ""
    return f"Your latest run, #{grade.job.pk}, does not count for this challenge:"


@dataclass
class ChallengeView:
    challenge: Challenge
    goal: str
    allowed: list[tuple[str, str]]  # (config path, its bounds in words)
    status: ChallengeStatus | None  # None for an anonymous visitor

    @property
    def status_text(self) -> str:
        return status_text(self.status) if self.status else ""

    @property
    def uncounted_text(self) -> str:
        return uncounted_text(self.status) if self.status else ""


def newest_runs_and_challenges(user, labs) -> tuple[dict[int, int], dict[int, ChallengeView]]:
    """Each lab's newest run by this learner (lab id → job id) and each lab's challenge box
    by lab id; labs come with `challenge` loaded (or absent). One query for both: the runs
    a challenge grades include every run of its lab, so they are read with the other labs'
    runs, and the newest of each lab taken from them."""
    challenges = []
    for lab in labs:
        challenge = getattr(lab, "challenge", None)
        if challenge is not None:
            challenge.lab = lab
            challenges.append(challenge)
    statuses: dict[tuple[int, int], ChallengeStatus] = {}
    if not (challenges and user.is_authenticated):
        newest = latest_job_ids_by_lab(user=user, labs=labs)  # a lighter query: no configs
    else:
        runs = list(challenge_runs(user_ids=[user.pk], challenges=challenges, labs=labs))
        newest = {}
        for job in runs:
            if job.lab_id is not None:
                newest[job.lab_id] = max(job.pk, newest.get(job.lab_id, job.pk))
        statuses = challenge_statuses(users=[user], challenges=challenges, runs=runs)
    views = {
        c.lab_id: ChallengeView(
            challenge=c,
            goal=goal_text(c),
            allowed=[(path, _bounds_text(b)) for path, b in sorted(allowed_fields(c).items())],
            status=statuses.get((user.pk, c.pk)),
        )
        for c in challenges
    }
    return newest, views
