"""A class's instructors see each learner's predict-then-run questions: how many they made,
how many a run settled, how many were right; in the page, the CSV and the API."""

import csv
import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from classroom.models import Cohort
from classroom.selectors import gradebook
from jobs.models import JobStatus
from lessons.prediction_models import Prediction, PredictionChoice, PredictionQuestion

pytestmark = pytest.mark.django_db


@pytest.fixture
def predicting_class(instructor, learner, make_user, make_class, lab, make_run):
    """learner: two predictions, one settled right, one still waiting for its run; slow: one
    settled wrong; idle: none."""
    slow, idle = make_user("slow"), make_user("idle")
    cohort = make_class(instructor, learner, slow, idle)
    questions = []
    for order in (1, 2):
        question = PredictionQuestion.objects.create(lab=lab, order=order, prompt="Where?",
                                                     outcome="val_accuracy")
        PredictionChoice.objects.create(question=question, order=1, text="Low", high=0.8)
        PredictionChoice.objects.create(question=question, order=2, text="High", low=0.8)
        questions.append(question)
    first, second = questions

    def predict(user, question, text, *, accuracy=None):
        job = (make_run(user, lab=lab, result={"val_accuracy": accuracy})
               if accuracy is not None else None)
        Prediction.objects.create(user=user, question=question, job=job,
                                  choice=question.choices.get(text=text))

    predict(learner, first, "High", accuracy=0.9)
    predict(learner, second, "Low")
    predict(slow, first, "Low", accuracy=0.95)
    return cohort


def test_the_class_page_counts_each_learners_predictions(client, instructor, predicting_class):
    client.force_login(instructor)
    response = client.get(f"/classes/{predicting_class.pk}/")
    rows = {row.learner.username: row.predictions for row in response.context["rows"]}
    assert (rows["learner"].made, rows["learner"].settled, rows["learner"].right) == (2, 1, 1)
    assert (rows["slow"].made, rows["slow"].settled, rows["slow"].right) == (1, 1, 0)
    assert rows["idle"].made == 0
    html = response.content.decode()
    assert ">Predictions</a>" in html
    cell = html.split('<tr data-learner="learner">')[1].split('class="predictions">')[1]
    assert cell.startswith('<span title="right, of those its run settled">1 / 1</span> '
                           '<span class="muted small" title="made, waiting for a finished run">'
                           "+1 waiting</span></td>")
    names = [row.learner.username for row in
             client.get(f"/classes/{predicting_class.pk}/?sort=predictions&dir=desc")
             .context["rows"]]
    assert names == ["learner", "slow", "idle"]


def test_a_run_still_training_does_not_settle_a_prediction(client, instructor, predicting_class,
                                                           learner):
    prediction = Prediction.objects.get(user=learner, job__isnull=False)
    prediction.job.status = JobStatus.RUNNING
    prediction.job.save()
    client.force_login(instructor)
    rows = {row.learner.username: row.predictions
            for row in client.get(f"/classes/{predicting_class.pk}/").context["rows"]}
    assert (rows["learner"].made, rows["learner"].settled, rows["learner"].right) == (2, 0, 0)


def test_the_csv_and_the_api_carry_the_predictions(client, instructor, predicting_class):
    client.force_login(instructor)
    response = client.get(f"/classes/{predicting_class.pk}/gradebook.csv")
    rows = {row["learner"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}
    assert [rows["learner"][f"predictions {k}"] for k in ("made", "settled", "right")] == \
        ["2", "1", "1"]
    assert rows["slow"]["predictions right"] == "0"
    api = APIClient()
    api.force_authenticate(instructor)
    body = api.get(f"/api/v1/classes/{predicting_class.pk}/gradebook/").json()
    learners = {row["username"]: row for row in body["learners"]}
    assert (learners["learner"]["predictions_made"], learners["learner"]["predictions_right"],
            learners["slow"]["predictions_settled"]) == (2, 1, 1)


def test_another_classes_instructor_sees_none_of_it(client, other_instructor,
                                                    predicting_class):
    client.force_login(other_instructor)
    assert client.get(f"/classes/{predicting_class.pk}/").status_code == 404
    assert client.get(f"/classes/{predicting_class.pk}/gradebook.csv").status_code == 404


def test_the_demo_class_shows_predictions_on_first_start():
    call_command("load_lessons", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    book = gradebook(cohort=Cohort.objects.get(name="Demo class"))
    tallies = {row.learner.username: row.predictions for row in book.rows}
    # ada predicted the run's real outcome (no better than guessing), grace "almost perfectly".
    assert (tallies["ada"].made, tallies["ada"].settled, tallies["ada"].right) == (1, 1, 1)
    assert (tallies["grace"].made, tallies["grace"].settled, tallies["grace"].right) == (1, 1, 0)
    assert tallies["alan"].made == tallies["learner"].made == 0
