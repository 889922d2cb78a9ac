"""A rewritten question does not change what a learner's past attempt means."""

import threading

import pytest
from django.db import connection, transaction

from lessons.models import Attempt, LessonProgress, Question, QuestionKind, QuestionVersion
from lessons.services import attempt_submit

pytestmark = pytest.mark.django_db


def question(quiz, kind) -> Question:
    return quiz.questions.get(kind=kind)


def versions_of(attempt) -> dict[int, QuestionVersion]:
    return {v.question_key: v for v in attempt.question_versions.all()}


def quiz_url(quiz) -> str:
    return quiz.lesson.get_absolute_url()


def test_an_attempt_keeps_the_questions_it_answered(quiz, learner, answers_for):
    attempt = attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz))
    versions = versions_of(attempt)
    assert set(versions) == set(quiz.questions.values_list("id", flat=True))
    single = versions[question(quiz, QuestionKind.SINGLE).id]
    assert (single.number, single.prompt, single.kind) == (1, "One?", "single")
    assert [(c["text"], c["is_correct"]) for c in single.choices] == [
        ("right", True), ("wrong", False)
    ]  # fmt: skip
    assert versions[question(quiz, QuestionKind.NUMERIC).id].answer == 13
    assert attempt.pass_mark == 60


def test_unchanged_questions_reuse_their_version(quiz, learner, answers_for):
    first = attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz))
    second = attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz, right=False))
    assert versions_of(first) == versions_of(second)
    assert QuestionVersion.objects.count() == 3


def test_a_rewrite_makes_a_new_version_and_the_old_attempt_keeps_its_own(
    quiz, learner, answers_for
):
    before = attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz))
    numeric = question(quiz, QuestionKind.NUMERIC)
    numeric.prompt, numeric.answer = "How many now?", 20
    numeric.save()
    single = question(quiz, QuestionKind.SINGLE)
    single.choices.filter(text="wrong").update(text="plausible but wrong")

    after = attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz))
    old, new = versions_of(before), versions_of(after)
    assert (old[numeric.id].number, old[numeric.id].prompt, old[numeric.id].answer) == (
        1, "How many?", 13
    )  # fmt: skip
    assert (new[numeric.id].number, new[numeric.id].prompt, new[numeric.id].answer) == (
        2, "How many now?", 20
    )  # fmt: skip
    assert old[single.id].choices[1]["text"] == "wrong"
    assert new[single.id].choices[1]["text"] == "plausible but wrong"
    multiple = question(quiz, QuestionKind.MULTIPLE).id
    assert old[multiple] == new[multiple]  # untouched: same version


def test_rewrites_do_not_change_an_earlier_score_or_completion(quiz, learner, answers_for):
    numeric = question(quiz, QuestionKind.NUMERIC)
    answers = answers_for(quiz)
    answers[str(numeric.id)] = "20"  # 2 of 3 right: 67% passes the pass mark of 60%
    attempt = attempt_submit(user=learner, quiz=quiz, answers=answers)
    completed = LessonProgress.objects.get(user=learner).completed_at
    numeric.answer = 20  # the rewrite would make their answer right...
    numeric.save()
    quiz.pass_mark = 100  # ...and the stricter pass mark would fail them
    quiz.save()
    attempt = Attempt.objects.get(pk=attempt.pk)
    assert (attempt.score, attempt.max_score, attempt.passed) == (2, 3, True)
    progress = LessonProgress.objects.get(user=learner)
    assert progress.completed_at == completed
    assert progress.best_score == pytest.approx(200 / 3)


def test_deleting_a_question_keeps_its_version_for_past_attempts(quiz, learner, answers_for):
    attempt = attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz))
    numeric = question(quiz, QuestionKind.NUMERIC)
    numeric_id = numeric.id
    numeric.delete()
    kept = versions_of(Attempt.objects.get(pk=attempt.pk))[numeric_id]
    assert kept.question_id is None and kept.prompt == "How many?"


def test_the_page_shows_a_past_attempt_as_answered_and_the_quiz_as_it_is_now(
    client, quiz, learner, answers_for
):
    client.force_login(learner)
    single = question(quiz, QuestionKind.SINGLE)
    wrong = single.choices.get(text="wrong")
    answers = answers_for(quiz)
    answers[str(single.id)] = wrong.id
    attempt = attempt_submit(user=learner, quiz=quiz, answers=answers)
    single.prompt = "Which one, after the rewrite?"
    single.save()
    wrong.text = "a reworded distractor"
    wrong.save()

    past = client.get(f"{quiz_url(quiz)}?attempt={attempt.pk}").content.decode()
    assert "One?" in past and "Which one, after the rewrite?" not in past
    assert "wrong" in past and "a reworded distractor" not in past
    assert f'value="{wrong.id}" checked disabled' in past  # their answer, read-only
    assert "This quiz has been revised since this attempt" in past
    assert "2 / 3" in past and "Answer the current quiz" in past

    now = client.get(quiz_url(quiz)).content.decode()
    assert "Which one, after the rewrite?" in now and "a reworded distractor" in now
    assert "One?" not in now and "has been revised" not in now


def test_an_attempt_at_the_current_quiz_can_be_tried_again(client, quiz, learner, answers_for):
    client.force_login(learner)
    attempt = attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz))
    page = client.get(f"{quiz_url(quiz)}?attempt={attempt.pk}").content.decode()
    assert "has been revised" not in page and "Try again" in page and "disabled" not in page


@pytest.mark.django_db(transaction=True)
def test_two_learners_answering_a_rewritten_question_share_its_new_version(
    quiz, learner, django_user_model, answers_for
):
    answers = answers_for(quiz)
    attempt_submit(user=learner, quiz=quiz, answers=answers)
    numeric = question(quiz, QuestionKind.NUMERIC)
    numeric.prompt = "How many, rewritten?"
    numeric.save()
    other = django_user_model.objects.create_user("other-learner")
    first_graded, commit_first = threading.Event(), threading.Event()
    outcome: dict = {}

    def first():  # grades (making version 2), then holds its transaction open
        try:
            with transaction.atomic():
                attempt_submit(user=learner, quiz=quiz, answers=answers)
                first_graded.set()
                commit_first.wait(10)
        finally:
            connection.close()

    def second():  # sees only version 1 committed, so it has to make a version too
        first_graded.wait(10)
        try:
            outcome["attempt"] = attempt_submit(user=other, quiz=quiz, answers=answers).pk
        except Exception as exc:  # noqa: BLE001 - the failure this test is about
            outcome["error"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    threads[1].join(1)
    assert threads[1].is_alive()  # waiting for the first attempt's transaction
    commit_first.set()
    for thread in threads:
        thread.join(20)
    assert "error" not in outcome, outcome
    assert list(QuestionVersion.objects.filter(question_key=numeric.id)
                .values_list("number", flat=True).order_by("number")) == [1, 2]  # fmt: skip
    second_attempt = Attempt.objects.get(pk=outcome["attempt"])
    assert versions_of(second_attempt)[numeric.id].number == 2
