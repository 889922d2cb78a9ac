"""Predict, then run: a locked prediction, settled by the learner's own run as the worker
stored it; questions validated the same way in the admin and in content files."""

import json
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.personal_data import delete_account, export_for
from jobs.models import JobStatus, TrainingJob
from lessons import prediction_services as services
from lessons.content import ContentError, read_content
from lessons.loader import load_content
from lessons.prediction_models import Prediction, PredictionChoice, PredictionQuestion
from lessons.predictions import judge, outcome_text, outcome_value, run_config
from training_worker import runner

pytestmark = pytest.mark.django_db
SHIPPED = Path(settings.BASE_DIR) / "content"


@pytest.fixture
def question(lab) -> PredictionQuestion:
    """"Where will the validation accuracy end with a learning rate of 0.5?" in three ranges."""
    question = PredictionQuestion(lab=lab, prompt="Where will it end?", outcome="val_accuracy",
                                  run_changes={"optim.lr": 0.5}, explanation="Because **so**.")
    question.full_clean()
    question.save()
    for order, (text, low, high) in enumerate(
            [("Low", None, 0.6), ("Middle", 0.6, 0.9), ("High", 0.9, None)], start=1):
        PredictionChoice.objects.create(question=question, order=order, text=text, low=low,
                                        high=high)
    return question


@pytest.fixture
def estimate(lab) -> PredictionQuestion:
    question = PredictionQuestion(lab=lab, kind="numeric", prompt="How far?",
                                  outcome="val_accuracy", tolerance=0.05)
    question.full_clean()
    question.save()
    return question


def choice(question, text) -> PredictionChoice:
    return question.choices.get(text=text)


def settle(prediction, *, status=JobStatus.SUCCEEDED, **result) -> Prediction:
    """Link a run as the worker leaves it (status and stored summary) to the prediction."""
    prediction.job = TrainingJob.objects.create(
        owner=prediction.user, lab=prediction.question.lab, config=run_config(prediction.question),
        status=status, result=result,
    )
    prediction.save()
    return Prediction.objects.get(pk=prediction.pk)


def test_the_run_is_the_labs_preset_with_the_questions_changes(question, lab):
    config = run_config(question)
    assert config["optim"]["lr"] == 0.5
    lab.preset_config["optim"]["lr"] = 0.5
    assert config == lab.preset_config


def test_a_prediction_is_locked_once_made(question, learner):
    services.prediction_make(user=learner, question=question,
                             choice_id=choice(question, "Low").pk)
    with pytest.raises(services.PredictionLocked, match="cannot be changed"):
        services.prediction_make(user=learner, question=question,
                                 choice_id=choice(question, "High").pk)
    assert Prediction.objects.get(user=learner).choice.text == "Low"


@pytest.mark.parametrize(("kind", "given", "field"), [
    ("choice", {"choice_id": None}, "choice"),
    ("choice", {"choice_id": 10_000}, "choice"),  # not one of this question's choices
    ("numeric", {"value": None}, "value"),
    ("numeric", {"value": float("nan")}, "value"),
    ("numeric", {"value": True}, "value"),
])
def test_a_prediction_needs_a_choice_of_the_question_or_a_number(question, estimate, learner,
                                                                  kind, given, field):
    target = question if kind == "choice" else estimate
    with pytest.raises(ValidationError) as error:
        services.prediction_make(user=learner, question=target, **given)
    assert set(error.value.message_dict) == {field}
    assert not Prediction.objects.exists()


def test_a_range_prediction_is_settled_by_the_range_the_runs_number_falls_in(question, learner):
    prediction = services.prediction_make(user=learner, question=question,
                                          choice_id=choice(question, "Middle").pk)
    assert judge(prediction).state == "no_run" and not judge(prediction).settled
    right = judge(settle(prediction, val_accuracy=0.75))
    assert right.right and right.choice.text == "Middle" and right.value == 0.75
    assert outcome_text(right).endswith("“Middle”. Your prediction was right.")
    edge = judge(settle(prediction, val_accuracy=0.9))  # a range's low end belongs to it
    assert not edge.right and edge.choice.text == "High"


def test_an_estimate_is_right_within_the_tolerance(estimate, learner):
    prediction = services.prediction_make(user=learner, question=estimate, value=0.8)
    assert judge(settle(prediction, val_accuracy=0.84)).right
    assert not judge(settle(prediction, val_accuracy=0.86)).right


def test_only_a_succeeded_run_with_the_number_settles_a_prediction(question, learner):
    prediction = services.prediction_make(user=learner, question=question,
                                          choice_id=choice(question, "High").pk)
    for status in (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED):
        outcome = judge(settle(prediction, status=status, val_accuracy=0.95))
        assert outcome.state == status and outcome.right is None
    silent = judge(settle(prediction, n_params=10))  # no val_accuracy in its summary
    assert silent.settled and not silent.right and silent.value is None


def test_derived_outcomes_read_the_curves():
    summary = {"val_loss": 0.9, "best_val_loss": 0.3, "train_accuracy": 1.0,
               "val_accuracy": 0.85}
    assert outcome_value(summary, "val_loss_over_best") == pytest.approx(3.0)
    assert outcome_value(summary, "accuracy_gap") == pytest.approx(0.15)
    assert outcome_value({"val_loss": 0.9}, "val_loss_over_best") is None


def test_the_run_is_submitted_as_a_run_of_the_lab_and_trains(question, learner):
    prediction = services.prediction_make(user=learner, question=question,
                                          choice_id=choice(question, "High").pk)
    job = services.prediction_run(prediction=prediction)
    assert job.lab == question.lab and job.config["optim"]["lr"] == 0.5
    with pytest.raises(services.RunConflict, match="already has its run"):
        services.prediction_run(prediction=prediction)
    runner.job_run(job_id=job.pk)
    prediction = Prediction.objects.get(pk=prediction.pk)
    outcome = judge(prediction)
    assert prediction.job_id == job.pk and outcome.state == JobStatus.SUCCEEDED
    assert outcome.value == prediction.job.result["val_accuracy"]
    assert outcome.right == (outcome.value >= 0.9)


def test_a_failed_run_may_be_replaced(question, learner):
    prediction = services.prediction_make(user=learner, question=question,
                                          choice_id=choice(question, "High").pk)
    failed = settle(prediction, status=JobStatus.FAILED)
    again = services.prediction_run(prediction=failed)
    assert Prediction.objects.get(pk=prediction.pk).job == again != failed.job


@pytest.mark.parametrize(("fields", "problem"), [
    ({"outcome": "luck"}, "outcome"),
    ({"run_changes": {"data.noise": 0.5}}, "run_changes"),  # not tunable in the lab
    ({"run_changes": {"optim.lr": 5}}, "run_changes"),  # outside the lab's bounds
    ({"run_changes": {"optim.colour": 1}}, "run_changes"),
    ({"run_changes": ["optim.lr"]}, "run_changes"),
    ({"tolerance": -1}, "tolerance"),
])
def test_a_question_its_lab_could_not_run_is_refused(lab, fields, problem):
    question = PredictionQuestion(lab=lab, prompt="?", **{"outcome": "val_accuracy", **fields})
    with pytest.raises(ValidationError) as error:
        question.full_clean()
    assert set(error.value.message_dict) == {problem}


LESSON = textwrap.dedent("""\
    ---
    title: L
    labs:
      - title: Lab
        slug: lab
        preset_config:
          model: {kind: mlp, hidden: [8]}
          data: {name: moons}
          optim: {name: adam, lr: 0.01, epochs: 5}
        tunable:
          optim.lr: {min: 0.001, max: 0.1}
        predictions:
          - prompt: Where?
            run: {optim.lr: %s}
            outcome: %s
            choices:
              - {text: Low, below: 0.8}
              - {text: High, at_least: %s}
            explanation: Why.
          - kind: numeric
            prompt: How much?
            outcome: val_loss
            tolerance: 0.1
            explanation: Why.
    ---
    Body.
    """)


def write_course(tmp_path, lesson: str) -> Path:
    course = tmp_path / "content" / "c"
    (course / "m").mkdir(parents=True, exist_ok=True)
    (course / "course.yaml").write_text("title: C\nmodules:\n  - {slug: m, title: M}\n")
    (course / "m" / "01-l.md").write_text(lesson)
    return tmp_path / "content"


def test_content_files_carry_prediction_questions_and_reject_bad_ones(tmp_path):
    root = write_course(tmp_path, LESSON % ("0.05", "val_accuracy", "0.8"))
    [spec] = read_content(root)
    [ranges, numeric] = spec.lessons[0].data["labs"][0]["predictions"]
    assert ranges["run_changes"] == {"optim.lr": 0.05}
    assert ranges["choices"] == [{"order": 1, "text": "Low", "low": None, "high": 0.8},
                                 {"order": 2, "text": "High", "low": 0.8, "high": None}]
    assert numeric["kind"] == "numeric" and numeric["tolerance"] == 0.1
    write_course(tmp_path, LESSON % ("5", "luck", "0.7"))
    with pytest.raises(ContentError) as error:
        read_content(root)
    problems = error.value.problems
    where = "content/c/m/01-l.md: labs[0].predictions[0]"
    assert f"{where}.run: optim.lr: this lab allows 0.001 to 0.1 (got 5)" in problems
    assert any(p.startswith(f"{where}.outcome: must be one of val_accuracy") for p in problems)
    assert (f"{where}.choices: the choices' ranges overlap: a run's number must fall in one "
            "at most") in problems


def test_the_loader_writes_the_shipped_questions_and_is_idempotent():
    report = load_content(SHIPPED)
    question = PredictionQuestion.objects.get(lab__slug="dropout")
    assert question.run_changes == {"model.dropout": 0.5}
    assert [c.text for c in question.choices.all()][1] == "About the same as without dropout"
    assert PredictionQuestion.objects.count() >= 3 and report.created
    again = load_content(SHIPPED)
    assert not again.updated and not again.skipped and again.unchanged


def test_a_question_edited_in_the_admin_is_not_overwritten_by_the_loader():
    load_content(SHIPPED)
    question = PredictionQuestion.objects.get(lab__slug="dropout")
    question.prompt = "Reworded by an instructor."
    question.save()
    report = load_content(SHIPPED)
    assert "lesson regularization" in report.skipped
    assert PredictionQuestion.objects.get(pk=question.pk).prompt == "Reworded by an instructor."


def test_an_author_writes_a_question_with_its_ranges_on_one_admin_page(client, staff, lab):
    client.force_login(staff)
    data = {
        "lab": lab.pk, "order": 1, "kind": "choice", "prompt": "Where?",
        "run_changes": json.dumps({"optim.lr": 0.5}), "outcome": "val_accuracy",
        "tolerance": 0, "explanation": "Why.",
        "choices-TOTAL_FORMS": 2, "choices-INITIAL_FORMS": 0,
        "choices-0-order": 1, "choices-0-text": "Low", "choices-0-high": "0.8",
        "choices-1-order": 2, "choices-1-text": "High", "choices-1-low": "0.7",
    }
    url = "/admin/lessons/predictionquestion/add/"
    overlapping = client.post(url, data)
    assert overlapping.status_code == 200
    assert "The choices&#x27; ranges overlap" in overlapping.content.decode()
    outside = client.post(url, {**data, "choices-1-low": "0.8",
                                "run_changes": json.dumps({"optim.lr": 5})})
    assert "optim.lr: this lab allows 0.0001 to 1 (got 5)" in outside.content.decode()
    assert not PredictionQuestion.objects.exists()
    saved = client.post(url, {**data, "choices-1-low": "0.8"})
    assert saved.status_code == 302
    question = PredictionQuestion.objects.get()
    assert [(c.low, c.high) for c in question.choices.all()] == [(None, 0.8), (0.8, None)]


def test_a_learners_predictions_are_in_their_data_and_go_with_their_account(question,
                                                                          learner):
    prediction = services.prediction_make(user=learner, question=question,
                                          choice_id=choice(question, "Middle").pk)
    settle(prediction, val_accuracy=0.7)
    [exported] = export_for(learner)["lab_predictions"]
    assert (exported["lab"], exported["question"], exported["choice"]) == (
        "Batch size", "Where will it end?", "Middle")
    assert exported["run"] == Prediction.objects.get().job_id
    delete_account(learner)
    assert not Prediction.objects.exists()
