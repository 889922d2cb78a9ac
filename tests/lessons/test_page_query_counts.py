"""The course page, the dashboard and a lesson page read a fixed number of queries, however
many lessons, quiz attempts, completed lessons and runs the learner has: no query per row
(the performance issue asks for these pages' query counts to be asserted)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jobs.models import JobStatus, TrainingJob
from lessons import services
from lessons.models import Challenge, Lesson

pytestmark = pytest.mark.django_db

COURSE_URL = "/courses/foundations/"


def queries_of(client, url: str) -> int:
    client.get(url)  # caches warm: count the steady state
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def grow(make_lesson, learner, answers_for, quiz, *, lessons: int) -> None:
    """More lessons in the course, each completed by the learner, and quiz attempts."""
    start = Lesson.objects.count()
    for n in range(lessons):
        lesson = make_lesson(slug=f"extra-{start + n}", order=start + n + 1)
        services.lesson_mark_complete(user=learner, lesson=lesson)
    for right in (True, False, True):
        services.attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz, right))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # user, progress (the session comes from the cache); the course outline (course,
        # modules, lessons) and the lessons' challenges come from the content cache
        # (lessons/content_cache.py)
        (COURSE_URL, 2),
        # user, progress, recent attempts, recent runs; outline and challenges cached
        ("/dashboard/", 4),
    ],
)
def test_the_page_reads_the_same_number_of_queries_for_one_lesson_or_many(
    client, url, expected, make_lesson, lesson, quiz, lab, learner, answers_for
):
    client.force_login(learner)
    grow(make_lesson, learner, answers_for, quiz, lessons=1)
    few = queries_of(client, url)
    grow(make_lesson, learner, answers_for, quiz, lessons=8)
    many = queries_of(client, url)
    assert (few, many) == (expected, expected)


def runs_of(lab, learner, n: int) -> None:
    """n finished runs of the lab by the learner, and n runs of no lab on its data set (a
    challenge counts both)."""
    for _ in range(n):
        for of_lab in (lab, None):
            TrainingJob.objects.create(owner=learner, lab=of_lab, config=lab.preset_config,
                                       status=JobStatus.SUCCEEDED, result={"val_accuracy": 0.5})


def test_a_learners_lesson_page_with_quiz_and_lab_reads_a_fixed_number_of_queries(
    client, lesson, quiz, lab, learner, answers_for
):
    # user (the session comes from the cache); the lesson, its labs, quiz and neighbours
    # come from the content cache; the learner's runs of the labs (their newest, and what the
    # lab's challenge grades: one query), progress
    Challenge.objects.create(lab=lab, metric="val_accuracy", target=0.9)
    client.force_login(learner)
    url = lesson.get_absolute_url()
    runs_of(lab, learner, 1)
    services.attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz, True))
    few = queries_of(client, url)
    runs_of(lab, learner, 20)
    services.lesson_mark_complete(user=learner, lesson=lesson)
    for right in (True, False, True):
        services.attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz, right))
    many = queries_of(client, url)
    assert (few, many) == (3, 3)
