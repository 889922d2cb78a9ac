"""The predictions API and the lesson page's prediction box: a learner makes and reads only
their own prediction, once; bad input is named in the API's error shape."""

import pytest
from rest_framework.test import APIClient

from jobs.models import JobStatus, TrainingJob
from lessons.prediction_models import Prediction, PredictionChoice, PredictionQuestion

pytestmark = pytest.mark.django_db
LESSON_URL = "/courses/foundations/neurons/"


@pytest.fixture
def question(lab) -> PredictionQuestion:
    question = PredictionQuestion.objects.create(
        lab=lab, prompt="Where will **it** end?", outcome="val_accuracy",
        run_changes={"optim.lr": 0.5}, explanation="Because of *the* step size.")
    for order, (text, low, high) in enumerate(
            [("Low", None, 0.6), ("Middle", 0.6, 0.9), ("High", 0.9, None)], start=1):
        PredictionChoice.objects.create(question=question, order=order, text=text, low=low,
                                        high=high)
    return question


@pytest.fixture
def other_learner(django_user_model):
    return django_user_model.objects.create_user("someone-else", password="pw-other-123")


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def choice_id(question, text) -> int:
    return question.choices.get(text=text).pk


def predict(api, question, text="Middle"):
    return api.post("/api/v1/predictions/", {"question": question.pk,
                                             "choice": choice_id(question, text)}, format="json")


def test_a_learner_makes_and_reads_a_prediction_then_it_is_locked(question, learner):
    api = api_for(learner)
    made = predict(api, question)
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["given"] == "Middle" and body["job"] is None
    assert body["outcome"] == {"state": "no_run", "value": None, "value_text": "–",
                               "choice": None, "right": None, "explanation_html": "",
                               "summary": "Your prediction is locked in. Train to see what "
                                          "happens."}
    assert made["Location"] == body["urls"]["self"]
    again = predict(api, question, "High")
    assert again.status_code == 409
    assert again.json()["error"]["fields"] == {
        "question": "You already made a prediction for this question; it cannot be changed."}
    for method in (api.patch, api.put, api.delete):
        refused = method(body["urls"]["self"], {"choice": choice_id(question, "High")},
                         format="json")
        assert refused.status_code == 405
        assert "cannot be changed or withdrawn" in refused.json()["error"]["message"]
    assert api.get(body["urls"]["self"]).json()["given"] == "Middle"
    assert Prediction.objects.get().choice.text == "Middle"


@pytest.mark.parametrize(("payload", "field"), [
    ({}, "question"),
    ({"question": "first"}, "question"),
    ({"question": 10_000, "choice": 1}, "question"),
    ({"question": "QUESTION", "choice": "the middle one"}, "choice"),
    ({"question": "QUESTION"}, "choice"),
    ({"question": "QUESTION", "value": 0.7}, "choice"),
    ({"question": "QUESTION", "choice": "CHOICE", "colour": "red"}, "colour"),
])
def test_bad_input_is_named_in_the_error_shape(question, learner, payload, field):
    payload = {k: question.pk if v == "QUESTION" else choice_id(question, "Low")
               if v == "CHOICE" else v for k, v in payload.items()}
    response = api_for(learner).post("/api/v1/predictions/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Prediction.objects.exists()


def test_an_estimate_needs_a_number(lab, learner):
    estimate = PredictionQuestion.objects.create(lab=lab, kind="numeric", prompt="How far?",
                                                 outcome="val_accuracy", tolerance=0.05)
    api = api_for(learner)
    for value in ("far", None):
        response = api.post("/api/v1/predictions/", {"question": estimate.pk, "value": value},
                            format="json")
        assert response.status_code == 400 and "value" in response.json()["error"]["fields"]
    made = api.post("/api/v1/predictions/", {"question": estimate.pk, "value": 0.8},
                    format="json")
    assert made.status_code == 201 and made.json()["given"] == "0.8"


def test_the_run_starts_once_and_is_a_run_of_the_lab(question, learner):
    api = api_for(learner)
    prediction = predict(api, question).json()
    run = api.post(prediction["urls"]["run"])
    assert run.status_code == 201
    job = TrainingJob.objects.get(pk=run.json()["id"])
    assert job.lab == question.lab and job.config["optim"]["lr"] == 0.5 and job.owner == learner
    assert api.get(prediction["urls"]["self"]).json()["outcome"]["state"] == "queued"
    again = api.post(prediction["urls"]["run"])
    assert again.status_code == 409 and "job" in again.json()["error"]["fields"]


def test_the_outcome_and_explanation_come_from_the_stored_run(question, learner):
    api = api_for(learner)
    prediction = predict(api, question, "High").json()
    job = TrainingJob.objects.get(pk=api.post(prediction["urls"]["run"]).json()["id"])
    TrainingJob.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED,
                                                 result={"val_accuracy": 0.75})
    outcome = api.get(prediction["urls"]["self"]).json()["outcome"]
    assert outcome["right"] is False and outcome["value"] == 0.75
    assert outcome["choice"] == choice_id(question, "Middle")
    assert outcome["explanation_html"] == "<p>Because of <em>the</em> step size.</p>"
    assert outcome["summary"] == ("The run gave validation accuracy (last epoch) 0.75: "
                                  "“Middle”. Your prediction was not right.")


def test_a_learner_sees_nothing_of_another_learners_prediction(question, learner,
                                                               other_learner):
    mine = predict(api_for(learner), question).json()
    theirs = api_for(other_learner)
    assert theirs.get(mine["urls"]["self"]).status_code == 404
    assert theirs.post(mine["urls"]["run"]).status_code == 404
    assert theirs.get("/api/v1/predictions/").json() == []
    [listed] = theirs.get(f"/api/v1/prediction-questions/?lab={question.lab_id}").json()
    assert listed["prediction"] is None
    assert not TrainingJob.objects.exists()
    # Their own prediction of the same question is theirs to make.
    assert predict(theirs, question, "Low").status_code == 201


def test_the_questions_list_gives_choices_with_their_ranges_and_your_prediction(question,
                                                                               learner):
    api = api_for(learner)
    predict(api, question)
    [listed] = api.get("/api/v1/prediction-questions/").json()
    assert listed["run_changes"] == {"optim.lr": 0.5}
    assert [c["range"] for c in listed["choices"]] == ["below 0.6", "0.6 to under 0.9",
                                                       "0.9 or more"]
    assert listed["prediction"]["given"] == "Middle"
    bad = api.get("/api/v1/prediction-questions/?lab=first")
    assert bad.status_code == 400 and "lab" in bad.json()["error"]["fields"]


def test_a_question_on_a_draft_lesson_is_hidden_from_learners(question, learner):
    lesson = question.lab.lesson
    lesson.status = "draft"
    lesson.save()
    api = api_for(learner)
    assert api.get("/api/v1/prediction-questions/").json() == []
    assert predict(api, question).status_code == 400


def test_anonymous_callers_are_refused(question):
    response = APIClient().post("/api/v1/predictions/", {"question": question.pk},
                                format="json")
    assert response.status_code in (401, 403) and "error" in response.json()


def test_every_prediction_endpoint_is_in_the_schema(db):
    paths = set(APIClient().get("/api/v1/schema/?format=json").json()["paths"])
    assert {"/api/v1/prediction-questions/", "/api/v1/predictions/",
            "/api/v1/predictions/{prediction_id}/",
            "/api/v1/predictions/{prediction_id}/run/"} <= paths


def test_a_predictions_run_is_documented_as_the_job_the_jobs_api_documents(db):
    # The run endpoint names the jobs API's Job schema by reference (lessons do not import
    # that API's serializer): the reference must lead to it.
    schema = APIClient().get("/api/v1/schema/?format=json").json()
    created = schema["paths"]["/api/v1/predictions/{prediction_id}/run/"]["post"]["responses"]
    ref = created["201"]["content"]["application/json"]["schema"]["$ref"]
    name = ref.removeprefix("#/components/schemas/")
    assert {"id", "status", "urls"} <= set(schema["components"]["schemas"][name]["properties"])
    job = schema["paths"]["/api/v1/jobs/{job_id}/"]["get"]["responses"]["200"]
    assert job["content"]["application/json"]["schema"]["$ref"] == ref


# --- the lesson page ---------------------------------------------------------------------------

def test_the_page_offers_the_choices_with_their_ranges_until_a_prediction_is_made(
        client, question, learner):
    client.force_login(learner)
    page = client.get(LESSON_URL).content.decode()
    assert "Predict, then run" in page and "Where will <strong>it</strong> end?" in page
    assert "(0.6 to under 0.9)" in page and "<code>optim.lr: 0.5</code>" in page
    assert '<form class="prediction-form" novalidate>' in page  # shown
    assert "js/predict.js" in page and "Because of" not in page
    predict(api_for(learner), question)
    page = client.get(LESSON_URL).content.decode()
    assert '<form class="prediction-form" novalidate hidden>' in page
    assert '<strong class="prediction-given">Middle</strong>' in page
    assert "Because of" not in page  # the explanation waits for the run


def test_after_the_run_the_page_shows_the_outcome_beside_the_prediction(client, question,
                                                                        learner):
    prediction = Prediction.objects.create(user=learner, question=question,
                                           choice=question.choices.get(text="Middle"))
    prediction.job = TrainingJob.objects.create(owner=learner, lab=question.lab, config={},
                                                status=JobStatus.SUCCEEDED,
                                                result={"val_accuracy": 0.8125})
    prediction.save()
    client.force_login(learner)
    page = client.get(LESSON_URL).content.decode()
    assert 'class="prediction right"' in page
    assert "The run gave validation accuracy (last epoch) 0.812" in page
    assert "Your prediction was right." in page
    assert "<p>Because of <em>the</em> step size.</p>" in page
    assert f'data-job-id="{prediction.job_id}"' in page


def test_a_visitor_is_asked_to_log_in(client, question):
    page = client.get(LESSON_URL).content.decode()
    assert "Log in</a> to make your prediction" in page
    assert "prediction-form" not in page and "js/predict.js" not in page
