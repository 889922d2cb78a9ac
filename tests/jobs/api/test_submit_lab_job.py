"""A learner's run of a lab: only the lab's tunable fields may change, within its bounds."""

import copy

import pytest

from jobs.models import TrainingJob
from lessons.models import Course, Lab, Lesson, LessonStatus, Module
from tests.errors import error_fields


@pytest.fixture
def lab(db, moons_config):
    course = Course.objects.create(title="C", slug="c", is_published=True)
    module = Module.objects.create(course=course, title="M", slug="m")
    lesson = Lesson.objects.create(
        module=module, title="L", slug="l", status=LessonStatus.PUBLISHED
    )
    preset = copy.deepcopy(moons_config)
    preset["optim"]["momentum"] = 0.9
    return Lab.objects.create(
        lesson=lesson, title="Lab", slug="lab", preset_config=preset,
        tunable={"optim.lr": {"min": 0.001, "max": 1}, "optim.batch_size": {"choices": [1, 32]}},
    )


def submit(api, lab, **changes):
    config = copy.deepcopy(lab.preset_config)
    for path, value in changes.items():
        section, key = path.split("__")
        config[section][key] = value
    return api.post("/api/v1/jobs/", {"config": config, "lab": lab.pk}, format="json")


@pytest.mark.django_db
def test_the_preset_itself_is_accepted_and_linked_to_the_lab(api, lab):
    response = submit(api, lab)
    assert response.status_code == 201, response.json()
    assert TrainingJob.objects.get().lab == lab


@pytest.mark.django_db
def test_a_tunable_field_within_bounds_is_accepted(api, lab):
    assert submit(api, lab, optim__lr=0.5, optim__batch_size=1).status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, field",
    [
        ({"optim__lr": 5}, "optim.lr"),          # valid for the API, outside the lab's bounds
        ({"optim__batch_size": 64}, "optim.batch_size"),
        ({"data__name": "digits"}, "data.name"),  # not tunable in this lab
        ({"optim__epochs": 200}, "optim.epochs"),
    ],
)
def test_a_change_the_lab_does_not_allow_gets_400_naming_the_field(api, lab, changes, field):
    response = submit(api, lab, **changes)
    assert response.status_code == 400
    assert f"config.{field}" in error_fields(response), response.json()
    assert not TrainingJob.objects.exists()


@pytest.mark.django_db
def test_a_lab_of_a_draft_lesson_cannot_be_used(api, lab):
    Lesson.objects.filter(pk=lab.lesson_id).update(status=LessonStatus.DRAFT)
    response = submit(api, lab)
    assert response.status_code == 400
    assert "lab" in error_fields(response)
