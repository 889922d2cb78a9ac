"""One-line setup for classroom tests: a course, a class with its instructor and learners."""

import pytest
from django.contrib.auth.models import Group

from classroom.models import Cohort, Membership
from jobs.models import JobStatus, TrainingJob
from lessons.models import Lab
from tests.lessons import conftest as lessons_setup

# The lessons tests' one-line setup (a course with a lesson, a lab, a quiz, a learner).
answers_for, lab, learner = lessons_setup.answers_for, lessons_setup.lab, lessons_setup.learner
lesson, make_lesson = lessons_setup.lesson, lessons_setup.make_lesson
preset, quiz, staff = lessons_setup.preset, lessons_setup.quiz, lessons_setup.staff


@pytest.fixture
def instructor(make_user):
    return make_user("teacher", is_staff=True)  # staff: both roles (accounts.instructors)


@pytest.fixture
def other_instructor(make_user):
    return make_user("other-teacher", is_staff=True)


@pytest.fixture
def make_class(lesson):
    def make(instructor, *learners, name="Monday group") -> Cohort:
        cohort = Cohort.objects.create(name=name, course=lesson.module.course)
        cohort.instructors.add(instructor)
        for member in learners:
            Membership.objects.create(cohort=cohort, learner=member)
        return cohort

    return make


@pytest.fixture
def make_run(preset):
    """make_run(owner, lab=None, status=..., result=...): a run as the worker stored it."""

    def make(owner, *, lab=None, config=None, status=JobStatus.SUCCEEDED, result=None):
        config = config or (lab.preset_config if lab else preset)
        return TrainingJob.objects.create(
            owner=owner, lab=lab, config=config, status=status, result=result or {},
        )

    return make


# A lab small enough to sweep in a test: 3 epochs on 200 moons.
TINY = {
    "model": {"kind": "mlp", "hidden": [8], "activation": "relu"},
    "data": {"name": "moons", "n_samples": 200, "noise": 0.2, "val_fraction": 0.25, "seed": 0},
    "optim": {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": 3},
}


@pytest.fixture
def tiny_lab(lesson) -> Lab:
    lab = Lab(lesson=lesson, title="Tiny", slug="tiny", preset_config=TINY, tunable={
        "optim.lr": {"min": 0.001, "max": 0.5},
        "model.hidden": {"max_layers": 2, "max_units": 16},
    })
    lab.full_clean()
    lab.save()
    return lab


@pytest.fixture
def author(make_user):
    """A content author only (no class instructor role)."""
    user = make_user("author")
    user.groups.add(Group.objects.get(name="Content authors"))
    return user
