"""Learner pages name only template variables that exist. A lookup that fails (the
progress of a lesson not yet started, `p.completed_at` with no `p`) is not an error to
Django, but each raises and catches exceptions and logs: the dashboard made 63 of them a
view, about a tenth of its time."""

import logging

import pytest

from jobs.models import JobStatus, TrainingJob
from lessons import prediction_services, services
from lessons.models import Challenge, PredictionChoice, PredictionQuestion

pytestmark = pytest.mark.django_db


@pytest.fixture
def prediction(lab) -> PredictionQuestion:
    question = PredictionQuestion.objects.create(
        lab=lab, prompt="Where will it end?", outcome="val_accuracy",
        run_changes={"optim.lr": 0.5}, explanation="Because.")
    PredictionChoice.objects.create(question=question, order=1, text="Low", high=0.6)
    PredictionChoice.objects.create(question=question, order=2, text="High", low=0.6)
    return question


def failed_lookups(client, caplog, url: str) -> list[str]:
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="django.template"):
        assert client.get(url).status_code == 200
    return [record.getMessage() for record in caplog.records
            if record.name == "django.template"]


def pages(lesson, attempt=None) -> list[str]:
    urls = ["/", "/courses/foundations/", "/dashboard/", lesson.get_absolute_url(), "/runs/"]
    if attempt is not None:
        urls.append(f"{lesson.get_absolute_url()}?attempt={attempt.pk}")
    return urls


def test_a_new_learners_pages_resolve_every_variable(client, caplog, lesson, quiz, lab,
                                                     prediction, learner):
    Challenge.objects.create(lab=lab, metric="val_accuracy", target=0.9)
    client.force_login(learner)
    for url in pages(lesson):
        assert failed_lookups(client, caplog, url) == [], url


def test_a_busy_learners_pages_resolve_every_variable(client, caplog, lesson, quiz, lab,
                                                      prediction, learner, answers_for):
    Challenge.objects.create(lab=lab, metric="val_accuracy", target=0.9)
    for accuracy in (0.5, 0.95):
        TrainingJob.objects.create(owner=learner, lab=lab, config=lab.preset_config,
                                   status=JobStatus.SUCCEEDED, result={"val_accuracy": accuracy})
    TrainingJob.objects.create(owner=learner, lab=lab, config=lab.preset_config,
                               status=JobStatus.FAILED, error="It diverged.")
    prediction_services.prediction_make(
        user=learner, question=prediction, choice_id=prediction.choices.first().pk)
    attempt = services.attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz, False))
    services.lesson_mark_complete(user=learner, lesson=lesson)
    client.force_login(learner)
    for url in pages(lesson, attempt):
        assert failed_lookups(client, caplog, url) == [], url
