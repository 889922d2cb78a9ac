"""The quiz preview in the admin: the quiz drawn with the learner's own template, answerable
and graded as on the lesson page, with nothing recorded (no attempt, no progress).

It grades with the learner page's own grading and rows (lessons.services, lessons.views), so
the preview cannot drift from what learners see."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from lessons.models import Attempt, QuestionKind, Quiz
from lessons.services import _grade_question
from lessons.views import _quiz_rows


def graded_unsaved(quiz: Quiz, questions, post) -> tuple[dict, Attempt | None, dict]:
    """(submitted answers, an attempt graded but never saved, errors by question key)."""
    submitted: dict[str, object] = {}
    results: dict[str, dict] = {}
    errors: dict[str, list[str]] = {}
    for key, question, _choices in questions:
        name = f"q{key}"
        raw = post.getlist(name) if question.kind == QuestionKind.MULTIPLE else post.get(name)
        submitted[key] = raw
        try:
            correct, given, expected = _grade_question(question, raw)
        except ValidationError as exc:
            errors[key] = exc.messages
            continue
        results[key] = {"correct": correct, "given": given, "expected": expected}
    if errors or not questions:
        return submitted, None, errors
    score = sum(1 for r in results.values() if r["correct"])
    attempt = Attempt(quiz=quiz, answers=submitted, results=results, score=score,
                      max_score=len(questions), pass_mark=quiz.pass_mark)  # fmt: skip
    return submitted, attempt, errors


def quiz_preview_view(model_admin):
    """The admin view of QuizAdmin's preview URL: anyone who may view the quiz in the admin."""

    @require_http_methods(["GET", "POST"])
    def view(request, object_id: int):
        quiz = get_object_or_404(Quiz.objects.select_related("lesson__module__course"),
                                 pk=object_id)  # fmt: skip
        if not model_admin.has_view_or_change_permission(request, quiz):
            raise PermissionDenied
        questions = [(str(q.id), q, q.choices.all())
                     for q in quiz.questions.prefetch_related("choices")]  # fmt: skip
        submitted, attempt, errors = None, None, None
        if request.method == "POST":
            submitted, attempt, errors = graded_unsaved(quiz, questions, request.POST)
        context = {
            "quiz": quiz,
            "lesson": quiz.lesson,
            "course": quiz.lesson.module.course,
            "quiz_rows": _quiz_rows(questions, submitted=submitted, errors=errors,
                                    attempt=attempt),  # fmt: skip
            "question_count": len(questions),
            "quiz_errors": [] if questions else ["This quiz has no questions yet."],
            "attempt": attempt,
            "passed": attempt is not None and attempt.passed,
            "quiz_preview_url": request.path,
            "quiz_admin_url": reverse("admin:lessons_quiz_change", args=[quiz.pk]),
        }
        return render(request, "lessons/quiz_preview.html", context)

    return view
