"""attempt_submit grades each question kind, stores the attempt and updates progress."""

import pytest
from django.core.exceptions import ValidationError

from lessons.models import Attempt, LessonProgress, QuestionKind
from lessons.services import attempt_submit, lesson_mark_complete, parse_number


def questions(quiz):
    return {q.kind: q for q in quiz.questions.all()}


def choice_ids(question, *, correct):
    return [c.id for c in question.choices.all() if c.is_correct == correct]


def test_all_right_scores_full_and_completes_lesson(quiz, learner, answers_for):
    attempt = attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz))
    assert (attempt.score, attempt.max_score) == (3, 3)
    assert attempt.percent == 100
    assert all(r["correct"] for r in attempt.results.values())
    progress = LessonProgress.objects.get(user=learner, lesson=quiz.lesson)
    assert progress.best_score == 100 and progress.completed_at is not None


def test_all_wrong_scores_zero_and_does_not_complete(quiz, learner, answers_for):
    attempt = attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz, right=False))
    assert attempt.score == 0
    progress = LessonProgress.objects.get(user=learner, lesson=quiz.lesson)
    assert progress.best_score == 0 and progress.completed_at is None


def test_single_choice(quiz, learner, answers_for):
    q = questions(quiz)[QuestionKind.SINGLE]
    answers = answers_for(quiz)
    answers[str(q.id)] = str(choice_ids(q, correct=False)[0])  # ids arrive as strings from forms
    attempt = attempt_submit(user=learner, quiz=quiz, answers=answers)
    assert attempt.results[str(q.id)] == {
        "correct": False,
        "given": choice_ids(q, correct=False)[0],
        "expected": choice_ids(q, correct=True),
    }


def test_multiple_choice_needs_the_exact_set(quiz, learner, answers_for):
    q = questions(quiz)[QuestionKind.MULTIPLE]
    right, wrong = choice_ids(q, correct=True), choice_ids(q, correct=False)
    for given, expected in [(right, True), (right[:1], False), (right + wrong, False)]:
        answers = answers_for(quiz)
        answers[str(q.id)] = [str(i) for i in given]
        attempt = attempt_submit(user=learner, quiz=quiz, answers=answers)
        assert attempt.results[str(q.id)]["correct"] is expected, given


@pytest.mark.parametrize(
    ("given", "correct"),
    [("13", True), ("12.5", True), ("13.5", True), (" 1.3e1 ", True), (13, True), ("14", False),
     ("12.4", False), ("-13", False), ("1e-3", False)],
)  # fmt: skip
def test_numeric_within_tolerance(quiz, learner, answers_for, given, correct):
    q = questions(quiz)[QuestionKind.NUMERIC]  # answer 13, tolerance 0.5
    answers = answers_for(quiz)
    answers[str(q.id)] = given
    attempt = attempt_submit(user=learner, quiz=quiz, answers=answers)
    assert attempt.results[str(q.id)]["correct"] is correct


@pytest.mark.parametrize("raw", ["0.5", "1e-3", "-2", "  7 ", "−3", 4, 2.5])
def test_parse_number_accepts_numbers(raw):
    assert isinstance(parse_number(raw), float)


@pytest.mark.parametrize(
    "raw", ["abc", "", "nan", "inf", "-Infinity", "1_000", "1,5", True, "0x10"]
)
def test_parse_number_rejects_non_numbers(raw):
    with pytest.raises(ValueError):
        parse_number(raw)


@pytest.mark.parametrize(
    ("kind", "bad", "message"),
    [
        (QuestionKind.NUMERIC, "thirteen", "Enter a number"),
        (QuestionKind.NUMERIC, "", "Enter a number."),
        (QuestionKind.NUMERIC, None, "Enter a number."),
        (QuestionKind.NUMERIC, "nan", "Enter a number"),
        (QuestionKind.SINGLE, None, "Choose an answer."),
        (QuestionKind.SINGLE, "garbage", "not one of this question's choices"),
        (QuestionKind.SINGLE, "999999", "not one of this question's choices"),
        (QuestionKind.SINGLE, ["1", "2"], "exactly one"),
        (QuestionKind.MULTIPLE, [], "at least one"),
        (QuestionKind.MULTIPLE, ["x"], "not one of this question's choices"),
        (QuestionKind.MULTIPLE, {"a": 1}, "not one of this question's choices"),
    ],
)
def test_bad_input_is_a_validation_error_and_stores_nothing(
    quiz, learner, answers_for, kind, bad, message
):
    q = questions(quiz)[kind]
    answers = answers_for(quiz)
    answers[str(q.id)] = bad
    with pytest.raises(ValidationError) as exc:
        attempt_submit(user=learner, quiz=quiz, answers=answers)
    errors = exc.value.message_dict
    assert list(errors) == [str(q.id)]
    assert message in errors[str(q.id)][0]
    assert not Attempt.objects.exists()
    assert not LessonProgress.objects.exists()


def test_choice_of_another_question_is_rejected(quiz, learner, answers_for):
    qs = questions(quiz)
    answers = answers_for(quiz)
    foreign = choice_ids(qs[QuestionKind.MULTIPLE], correct=True)[0]
    answers[str(qs[QuestionKind.SINGLE].id)] = foreign
    with pytest.raises(ValidationError) as exc:
        attempt_submit(user=learner, quiz=quiz, answers=answers)
    assert str(qs[QuestionKind.SINGLE].id) in exc.value.message_dict


def test_missing_answers_report_every_question(quiz, learner):
    with pytest.raises(ValidationError) as exc:
        attempt_submit(user=learner, quiz=quiz, answers={})
    assert len(exc.value.message_dict) == 3


def test_best_score_keeps_the_best_and_completion_stays(quiz, learner, answers_for):
    attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz))
    first = LessonProgress.objects.get(user=learner).completed_at
    attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz, right=False))
    progress = LessonProgress.objects.get(user=learner)
    assert progress.best_score == 100
    assert progress.completed_at == first
    assert Attempt.objects.filter(user=learner).count() == 2


def test_pass_mark_boundary(quiz, learner, answers_for):
    # 2 of 3 right = 66.7% ≥ 60% passes; 1 of 3 = 33.3% does not.
    q = questions(quiz)[QuestionKind.NUMERIC]
    answers = answers_for(quiz)
    answers[str(q.id)] = "0"
    attempt = attempt_submit(user=learner, quiz=quiz, answers=answers)
    assert attempt.score == 2
    assert LessonProgress.objects.get(user=learner).completed_at is not None


def test_pass_mark_of_100_needs_everything(quiz, learner, answers_for):
    quiz.pass_mark = 100
    quiz.save()
    answers = answers_for(quiz)
    answers[str(questions(quiz)[QuestionKind.NUMERIC].id)] = "0"
    attempt_submit(user=learner, quiz=quiz, answers=answers)
    progress = LessonProgress.objects.get(user=learner)
    assert progress.completed_at is None
    assert progress.best_score == pytest.approx(200 / 3)


def test_empty_quiz_is_an_error(lesson, learner):
    from lessons.models import Quiz

    with pytest.raises(ValidationError):
        attempt_submit(user=learner, quiz=Quiz.objects.create(lesson=lesson), answers={})


def test_mark_complete_is_idempotent(lesson, learner):
    first = lesson_mark_complete(user=learner, lesson=lesson).completed_at
    again = lesson_mark_complete(user=learner, lesson=lesson)
    assert first is not None and again.completed_at == first
    assert LessonProgress.objects.filter(user=learner, lesson=lesson).count() == 1
