"""The fairness-gap challenge: a goal over the demographic-parity difference the hiring runs
report, with an accuracy floor beside it. Defined, checked and graded as any challenge; the
shipped one on the reweighting lab is failed by its preset, passed by a real run within its
bounds, and failed by a run that closes the gap but drops below the floor."""

import copy
import json

import pytest
from django.core.management import call_command

from jobs import services
from jobs.models import JobStatus, TrainingJob
from lessons.challenge_rules import validate_challenge
from lessons.challenge_views import status_text
from lessons.challenges import challenge_status, goal_text, grade_run
from lessons.content import ContentError, read_content
from lessons.models import Challenge, Lab
from training_worker import runner

pytestmark = pytest.mark.django_db
GAP = "fairness.demographic_parity_difference"


@pytest.fixture
def fair(lab) -> Challenge:
    challenge = Challenge(lab=lab, metric=GAP, op="<=", target=0.05, also_metric="val_accuracy",
                          also_op=">=", also_target=0.7)
    challenge.full_clean()
    challenge.save()
    return challenge


def run_with(owner, lab, *, gap, accuracy) -> TrainingJob:
    result = {"val_accuracy": accuracy, "n_params": 100}
    if gap is not None:
        result["fairness"] = {"groups": ["A", "B"], "demographic_parity_difference": gap}
    return TrainingJob.objects.create(owner=owner, lab=lab, config=lab.preset_config,
                                      status=JobStatus.SUCCEEDED, result=result)


@pytest.mark.parametrize(("gap", "accuracy", "passed"), [
    (0.04, 0.8, True),
    (0.05, 0.7, True),  # both bounds inclusive
    (0.06, 0.9, False),  # the gap too wide
    (0.01, 0.6, False),  # a narrow gap from a model below the floor
])  # fmt: skip
def test_the_gap_and_the_floor_must_both_hold(fair, learner, gap, accuracy, passed):
    grade = grade_run(fair, run_with(learner, fair.lab, gap=gap, accuracy=accuracy))
    assert grade.counts and grade.passed is passed
    assert (grade.value, grade.also_value) == (gap, accuracy)


def test_a_run_without_fairness_numbers_does_not_count(fair, learner):
    grade = grade_run(fair, run_with(learner, fair.lab, gap=None, accuracy=0.9))
    assert grade.reasons == {GAP: "the run reported no such number"}


def test_goal_and_status_say_both_conditions(fair, learner):
    assert goal_text(fair) == ("demographic-parity difference (validation) at most 0.05, while "
                               "validation accuracy (last epoch) at least 0.7")
    run = run_with(learner, fair.lab, gap=0.01, accuracy=0.6)
    status = challenge_status(user=learner, challenge=fair)
    assert status_text(status) == (f"Not passed yet. Your best run so far, #{run.pk}, reached "
                                   "0.01 with validation accuracy (last epoch) 0.6.")


@pytest.mark.parametrize(("also", "field"), [
    ({"also_metric": "val_accuracy", "also_target": None}, "also_target"),
    ({"also_metric": "accuracy", "also_target": 0.7}, "also_metric"),
    ({"also_metric": GAP, "also_target": 0.7}, "also_metric"),
    ({"also_metric": "", "also_target": 0.7}, "also_metric"),
])  # fmt: skip
def test_a_bad_second_condition_is_refused(lab, also, field):
    errors = validate_challenge(metric=GAP, target=0.05, bounds={}, lab=lab, **also)
    assert field in errors


LESSON_FILE = """\
---
title: L
labs:
  - title: Lab
    slug: lab
    preset_config:
      model: {kind: mlp, hidden: [8]}
      data: {name: hiring}
      optim: {name: adam, lr: 0.01, epochs: 5}
    tunable:
      model.hidden: {max_layers: 2, max_units: 16}
    challenge:
      goal: {metric: fairness.demographic_parity_difference, op: "<=", value: 0.05}
      also: %s
---
Body.
"""


def content_with(tmp_path, also: str):
    course = tmp_path / "content" / "c"
    (course / "m").mkdir(parents=True, exist_ok=True)
    (course / "course.yaml").write_text("title: C\nmodules:\n  - {slug: m, title: M}\n")
    (course / "m" / "01-l.md").write_text(LESSON_FILE % also)
    return read_content(tmp_path / "content")


def test_a_content_file_carries_the_second_condition(tmp_path):
    [spec] = content_with(tmp_path, '{metric: val_accuracy, op: ">=", value: 0.7}')
    challenge = spec.lessons[0].data["labs"][0]["challenge"]
    assert (challenge["metric"], challenge["op"], challenge["target"]) == (GAP, "<=", 0.05)
    assert (challenge["also_metric"], challenge["also_op"], challenge["also_target"]) == (
        "val_accuracy", ">=", 0.7)


@pytest.mark.parametrize(("also", "where"), [
    ('{metric: val_accuracy, op: "=<", value: 0.7}', "challenge.also.op"),
    ("{metric: luck, value: 0.7}", "challenge.also.metric"),
    ("{metric: val_accuracy, value: high}", "challenge.also.value"),
    ("{metric: val_accuracy, value: 0.7, by: 1}", "challenge.also.by"),
    ("0.7", "challenge.also"),
])  # fmt: skip
def test_a_content_file_refuses_a_bad_second_condition(tmp_path, also, where):
    with pytest.raises(ContentError) as refused:
        content_with(tmp_path, also)
    assert any(f"labs[0].{where}" in problem for problem in refused.value.problems), (
        refused.value.problems)


def test_the_shipped_challenge_is_failed_by_the_preset_and_passed_by_a_real_run(learner):
    call_command("load_lessons", verbosity=0)
    lab = Lab.objects.get(slug="reweighted-hiring")
    challenge = lab.challenge
    assert (challenge.metric, challenge.op, challenge.target) == (GAP, "<=", 0.05)
    assert (challenge.also_metric, challenge.also_op, challenge.also_target) == (
        "val_accuracy", ">=", 0.85)

    def trained(**changes) -> TrainingJob:
        config = copy.deepcopy(lab.preset_config)
        for path, value in changes.items():
            section, name = path.split("__")
            config[section][name] = value
        job = services.job_submit(user=learner, config=config, lab=lab)
        runner.job_run(job_id=job.pk)
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED, job.error
        return job

    preset = grade_run(challenge, trained())
    assert preset.counts and not preset.passed and preset.value > 0.05  # 0.07 in our run
    wider = grade_run(challenge, trained(model__hidden=[32, 32]))
    assert wider.passed, (wider.value, wider.also_value)  # 0.045 at 0.8675 in our run
    longer = grade_run(challenge, trained(model__hidden=[32, 32], optim__epochs=60))
    assert longer.value <= 0.05 and longer.also_value < 0.85 and not longer.passed
    assert challenge_status(user=learner, challenge=challenge).passed


def test_the_admin_edits_the_second_condition_with_errors_beside_it(client, staff, lab):
    client.force_login(staff)
    data = {
        "lesson": lab.lesson_id, "title": lab.title, "slug": lab.slug, "order": 1,
        "instructions": "Go.", "preset_config": json.dumps(lab.preset_config),
        "tunable": json.dumps(lab.tunable), "challenge-INITIAL_FORMS": 0,
        "challenge-TOTAL_FORMS": 1, "challenge-0-metric": GAP, "challenge-0-op": "<=",
        "challenge-0-target": "0.05", "challenge-0-bounds": "{}",
        "challenge-0-also_metric": "val_accuracy", "challenge-0-also_op": ">=",
    }
    refused = client.post(f"/admin/lessons/lab/{lab.pk}/change/", data)
    assert refused.status_code == 200 and not Challenge.objects.exists()
    assert refused.context["inline_admin_formsets"][0].formset.forms[0].errors == {
        "also_target": ["must be a number"]}
    data["challenge-0-also_target"] = "0.7"
    assert client.post(f"/admin/lessons/lab/{lab.pk}/change/", data).status_code == 302
    saved = Challenge.objects.get()
    assert (saved.also_metric, saved.also_op, saved.also_target) == ("val_accuracy", ">=", 0.7)
