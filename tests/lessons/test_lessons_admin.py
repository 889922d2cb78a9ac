"""The instructor's admin: every page loads, and a bad lab config is a form error, not a 500."""

import json

import pytest

from lessons.models import Attempt, Lab, LessonProgress, QuestionVersion

pytestmark = pytest.mark.django_db

MODELS = ["course", "module", "lesson", "lab", "quiz", "question", "attempt", "lessonprogress",
          "questionversion"]  # fmt: skip


@pytest.fixture
def everything(quiz, lab, learner, staff, answers_for):
    from classroom.models import Cohort, Membership
    from lessons.services import attempt_submit

    attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz))
    # Staff read learners' attempts and progress only in the classes they teach.
    cohort = Cohort.objects.create(name="Class", course=quiz.lesson.module.course)
    cohort.instructors.add(staff)
    Membership.objects.create(cohort=cohort, learner=learner)
    return {
        "course": quiz.lesson.module.course,
        "module": quiz.lesson.module,
        "lesson": quiz.lesson,
        "lab": lab,
        "quiz": quiz,
        "question": quiz.questions.first(),
        "attempt": Attempt.objects.get(),
        "lessonprogress": LessonProgress.objects.get(),
        "questionversion": QuestionVersion.objects.first(),
    }


@pytest.mark.parametrize("model", MODELS)
def test_changelist_and_change_pages_load(client, staff, everything, model):
    client.force_login(staff)
    assert client.get(f"/admin/lessons/{model}/").status_code == 200
    assert client.get(f"/admin/lessons/{model}/?q=a").status_code == 200
    obj = everything[model]
    assert client.get(f"/admin/lessons/{model}/{obj.pk}/change/").status_code == 200


@pytest.mark.parametrize("model", ["course", "module", "lesson", "lab", "quiz", "question"])
def test_add_pages_load(client, staff, model):
    client.force_login(staff)
    assert client.get(f"/admin/lessons/{model}/add/").status_code == 200


@pytest.mark.parametrize("model", ["attempt", "questionversion"])
def test_attempts_and_question_versions_are_read_only(client, staff, everything, model):
    client.force_login(staff)
    assert client.get(f"/admin/lessons/{model}/add/").status_code == 403
    page = client.get(f"/admin/lessons/{model}/{everything[model].pk}/change/")
    assert b'name="_save"' not in page.content


def test_lesson_page_links_to_the_site_preview(client, staff, lesson):
    client.force_login(staff)
    html = client.get(f"/admin/lessons/lesson/{lesson.pk}/change/").content.decode()
    assert 'href="/courses/foundations/neurons/"' in html


def lab_form(lab, **overrides):
    data = {
        "lesson": lab.lesson_id,
        "title": lab.title,
        "slug": lab.slug,
        "order": 1,
        "instructions": "Go.",
        "preset_config": json.dumps(lab.preset_config),
        "tunable": json.dumps(lab.tunable),
        # The lab page's challenge inline (none here).
        "challenge-TOTAL_FORMS": 0,
        "challenge-INITIAL_FORMS": 0,
    }
    data.update(overrides)
    return data


def test_bad_lab_preset_is_a_form_error_naming_the_field(client, staff, lab):
    client.force_login(staff)
    preset = dict(lab.preset_config, optim={**lab.preset_config["optim"], "lr": -1})
    response = client.post(
        f"/admin/lessons/lab/{lab.pk}/change/", lab_form(lab, preset_config=json.dumps(preset))
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "optim.lr: " in html and "errorlist" in html
    assert Lab.objects.get(pk=lab.pk).preset_config["optim"]["lr"] == 0.1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("preset_config", "{not json", "Enter a valid JSON"),
        ("preset_config", "[1, 2]", "config: must be a JSON object"),
        ("tunable", '{"optim.nope": {}}', "optim.nope: not a field of the config"),
        ("tunable", '{"optim.lr": {"max": 99}}', "optim.lr: 99 is not a valid value"),
    ],
)
def test_other_lab_errors_are_form_errors(client, staff, lab, field, value, message):
    client.force_login(staff)
    response = client.post(f"/admin/lessons/lab/{lab.pk}/change/", lab_form(lab, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()


def test_valid_lab_is_saved_normalized(client, staff, lab):
    client.force_login(staff)
    preset = {
        "model": {"kind": "mlp", "hidden": [4]},
        "data": {"name": "xor"},
        "optim": {"name": "adam", "lr": 0.05, "epochs": 10},
    }
    response = client.post(
        f"/admin/lessons/lab/{lab.pk}/change/",
        lab_form(lab, preset_config=json.dumps(preset), tunable='{"optim.lr": {"max": 1}}'),
    )
    assert response.status_code == 302
    saved = Lab.objects.get(pk=lab.pk).preset_config
    assert saved["data"]["n_samples"] == 500 and saved["model"]["activation"] == "relu"


def test_bad_preset_in_the_lesson_pages_lab_inline_is_a_form_error(client, staff, lab):
    client.force_login(staff)
    lesson = lab.lesson
    preset = dict(lab.preset_config, data={**lab.preset_config["data"], "name": "mnist"})
    data = {
        "module": lesson.module_id, "title": lesson.title, "slug": lesson.slug, "order": 1,
        "status": lesson.status, "summary": "", "body": lesson.body,
        "labs-TOTAL_FORMS": 1, "labs-INITIAL_FORMS": 1,
        "labs-MIN_NUM_FORMS": 0, "labs-MAX_NUM_FORMS": 1000,
        "labs-0-id": lab.id, "labs-0-lesson": lesson.id, "labs-0-order": 1,
        "labs-0-title": lab.title, "labs-0-slug": lab.slug, "labs-0-instructions": "",
        "labs-0-preset_config": json.dumps(preset), "labs-0-tunable": json.dumps(lab.tunable),
    }  # fmt: skip
    response = client.post(f"/admin/lessons/lesson/{lesson.pk}/change/", data)
    assert response.status_code == 200
    assert "data.name: " in response.content.decode()
    assert Lab.objects.get(pk=lab.pk).preset_config["data"]["name"] == "moons"
