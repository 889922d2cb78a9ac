"""State changes of the classroom: create a class, join and leave one, renew its code."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.instructors import is_class_instructor
from classroom.models import CODE_LENGTH, Cohort, Membership, Sweep, SweepRun, new_join_code
from classroom.selectors import cohort_open_for_joining
from classroom.sweep_selectors import may_sweep
from classroom.sweeps import plan_sweep
from jobs.models import JobLimits, TrainingJob
from jobs.services import job_submit_batch
from lessons.models import Course, Lab

_NOT_CODE = re.compile(r"[\s-]+")


def normalize_code(raw) -> str:
    """A code as typed or pasted ("abcd-2345 ", "ABCD2345") in its stored form."""
    return _NOT_CODE.sub("", str(raw or "")).upper()


@transaction.atomic
def cohort_create(*, instructor, name: str, course: Course) -> Cohort:
    """A new class taught by `instructor`, who must be a class instructor."""
    if not is_class_instructor(instructor):
        raise PermissionDenied("Only class instructors can create a class.")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the class a name."})
    if len(name) > Cohort._meta.get_field("name").max_length:
        raise ValidationError({"name": "At most 120 characters."})
    cohort = Cohort.objects.create(name=name, course=course)
    cohort.instructors.add(instructor)
    return cohort


def cohort_join(*, learner, code) -> tuple[Cohort, bool]:
    """Join the class with this code: (the class, whether the learner was new to it).

    Joining twice is harmless. A code that matches no open class, or a class the user
    teaches, is a ValidationError on "code"."""
    normalized = normalize_code(code)
    if not normalized:
        raise ValidationError({"code": "Enter the class code your instructor gave you."})
    cohort = cohort_open_for_joining(code=normalized) if len(normalized) <= 16 else None
    if cohort is None:
        raise ValidationError(
            {"code": f"No open class has the code {normalized[:16]}. Check it with your "
                     "instructor (codes have 8 letters and digits)."}
        )
    if cohort.instructors.filter(pk=learner.pk).exists():
        raise ValidationError({"code": "You teach this class; learners join it with this code."})
    try:
        with transaction.atomic():
            _, created = Membership.objects.get_or_create(cohort=cohort, learner=learner)
    except IntegrityError:  # two joins at once: the other one made the membership
        created = False
    return cohort, created


def cohort_leave(*, learner, cohort: Cohort) -> None:
    Membership.objects.filter(cohort=cohort, learner=learner).delete()


def cohort_renew_code(*, cohort: Cohort) -> Cohort:
    """A fresh join code (the old one, and links holding it, stop working)."""
    for _ in range(5):
        cohort.join_code = new_join_code()
        try:
            with transaction.atomic():
                cohort.save(update_fields=["join_code"])
            return cohort
        except IntegrityError:
            continue  # 31^8 codes: a clash is rare, two in a row rarer still
    raise RuntimeError(f"could not find a free {CODE_LENGTH}-character join code")


def cohort_set_joining(*, cohort: Cohort, open_: bool) -> Cohort:
    cohort.joining_open = open_
    cohort.save(update_fields=["joining_open"])
    return cohort


def sweep_create(*, owner, lab: Lab, grid, seeds) -> Sweep:
    """Run `lab`'s preset over `grid` × `seeds` as ordinary training jobs, all or none.

    PermissionDenied unless `owner` is an instructor or content author; SweepInvalid names
    the field at fault (grid, seeds, or a config field a grid value breaks); ConfigError,
    limits.LimitReached and limits.QueueFull come from job_submit_batch as for any job.
    """
    if not may_sweep(owner):
        raise PermissionDenied("Only instructors and content authors can run sweeps.")
    plan = plan_sweep(lab=lab, grid=grid, seeds=seeds,
                      max_runs=JobLimits.current().max_sweep_runs)
    with transaction.atomic():
        jobs = job_submit_batch(
            user=owner, configs=[config for _, _, config in plan.runs], lab=lab,
            batch_jobs=TrainingJob.objects.filter(owner=owner, sweep_run__isnull=False),
        )
        sweep = Sweep.objects.create(owner=owner, lab=lab, base_config=lab.preset_config,
                                     grid=plan.grid, seeds=plan.seeds)
        SweepRun.objects.bulk_create(
            SweepRun(sweep=sweep, job=job, point=point, seed=seed)
            for job, (point, seed, _) in zip(jobs, plan.runs, strict=True)
        )
    return sweep
