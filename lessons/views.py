"""Pages: the course list, a course outline, a lesson (with labs and quiz), the dashboard."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from lessons import content_cache, selectors, services
from lessons.challenge_views import newest_runs_and_challenges
from lessons.markdown import has_widgets
from lessons.models import QuestionKind
from lessons.prediction_views import prediction_boxes


def _attach_progress(request, courses) -> None:
    """Set `lesson.user_progress` (LessonProgress or None) on every outlined lesson, and its
    challenges: `lesson.challenge_count` and (for a learner) `lesson.challenges_passed`."""
    progress = selectors.progress_by_lesson(user=request.user)
    passed = selectors.challenges_passed_by_lesson(user=request.user, courses=courses)
    for course in courses:
        for module in course.modules.all():
            lessons = list(module.lessons.all())
            for lesson in lessons:
                lesson.user_progress = progress.get(lesson.id)
                lesson.done = bool(lesson.user_progress and lesson.user_progress.completed_at)
                lesson.challenges_passed = passed.get(lesson.id, (0, 0))[1]
            module.lesson_count = len(lessons)
            module.challenge_count = sum(lesson.challenge_count for lesson in lessons)
            module.challenges_passed = sum(lesson.challenges_passed for lesson in lessons)
            module.completed_count = sum(lesson.done for lesson in lessons)


def home(request):
    courses = selectors.outline_cached(user=request.user)
    _attach_progress(request, courses)
    return render(request, "lessons/home.html", {"courses": courses})


def course_detail(request, course_slug: str):
    courses = selectors.outline_cached(user=request.user, course_slug=course_slug)
    if not courses:
        raise Http404("No such course.")
    course = courses[0]
    _attach_progress(request, [course])
    lessons = [lesson for module in course.modules.all() for lesson in module.lessons.all()]
    started = any(lesson.user_progress for lesson in lessons)
    continue_lesson = next(
        (
            lesson
            for lesson in lessons
            if not (lesson.user_progress and lesson.user_progress.completed_at)
        ),
        None,
    )
    context = {
        "course": course,
        "is_preview": not course.is_published,
        "continue_lesson": continue_lesson if started else None,
    }
    return render(request, "lessons/course_detail.html", context)


def _page_or_404(request, course_slug: str, lesson_slug: str, *, cached: bool = False):
    find = selectors.lesson_page_cached if cached else selectors.lesson_page
    page = find(user=request.user, course_slug=course_slug, lesson_slug=lesson_slug)
    if page is None:
        raise Http404("No such lesson.")
    return page


def _number_text(value) -> str:
    """13.0 → "13", 0.25 → "0.25"; text the learner typed is shown as typed."""
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _quiz_rows(questions, *, submitted=None, errors=None, attempt=None) -> list[dict]:
    """One dict per (key, question, choices): what the form shows (choices, the learner's
    input, errors, result). The question is the current one, or as asked in `attempt`."""
    rows = []
    for key, question, choices in questions:
        given = (submitted or {}).get(key)
        result = attempt.results.get(key) if attempt else None
        if result is not None:
            given = result["given"]
        if question.kind == QuestionKind.NUMERIC:
            selected, value = set(), "" if given is None else _number_text(given)
        else:
            items = given if isinstance(given, list) else [given]
            selected, value = {str(i) for i in items if i not in (None, "")}, ""
        rows.append(
            {
                "question": question,
                "key": key,
                "selected": selected,
                "value": value,
                "errors": (errors or {}).get(key, []),
                "result": result,
                "choices": [(c, str(c.id) in selected) for c in choices],
                "answer": "" if question.answer is None else _number_text(question.answer),
                "tolerance": _number_text(question.tolerance) if question.tolerance else "",
            }
        )
    return rows


def _render_lesson(request, page, *, submitted=None, errors=None, status=200):
    lesson, quiz = page.lesson, page.quiz
    attempt = review = None
    if quiz is not None and request.user.is_authenticated and "attempt" in request.GET:
        attempt = selectors.attempt_for_user(
            user=request.user, quiz=quiz, attempt_id=request.GET["attempt"]
        )
    questions = []
    if attempt is not None and attempt.question_versions.all():
        # The attempt as answered: a question rewritten since shows its old wording.
        review = selectors.attempt_review(attempt=attempt, quiz=quiz)
        questions = review.questions
    elif quiz is not None:
        questions = [(str(q.id), q, q.choices.all()) for q in quiz.questions.all()]
    quiz_rows, quiz_questions_html = [], None
    if quiz is not None and attempt is None and submitted is None and errors is None:
        quiz_questions_html = _blank_quiz_questions(quiz, questions)
    elif quiz is not None:
        quiz_rows = _quiz_rows(questions, submitted=submitted, errors=errors, attempt=attempt)
    latest_runs, challenges = newest_runs_and_challenges(request.user, page.labs)
    predictions = prediction_boxes(request.user, page.labs)
    context = {
        "lesson": lesson,
        "course": lesson.module.course,
        "is_preview": selectors.lesson_is_preview(lesson),
        "labs": [(lab, latest_runs.get(lab.id), challenges.get(lab.id), predictions.get(lab.id))
                 for lab in page.labs],
        "has_predictions": bool(predictions),
        "has_figures": has_widgets(lesson.body_html),
        "quiz": quiz,
        "quiz_rows": quiz_rows,
        "question_count": len(questions),
        "quiz_questions_html": quiz_questions_html,
        "quiz_errors": (errors or {}).get("__all__", []),
        "quiz_preview_url": None,  # the quiz posts to the lesson (quiz_preview.py sets one)
        "attempt": attempt,
        "attempt_revised_since": review is not None and review.revised_since,
        "passed": attempt is not None and attempt.passed,
        "progress": selectors.progress_by_lesson(user=request.user).get(lesson.id),
        "previous": page.previous,
        "next": page.next,
    }
    return render(request, "lessons/lesson_detail.html", context, status=status)


def _blank_quiz_questions(quiz, questions) -> str:
    """The questions as a learner first sees them (no attempt, input or error): the same
    for everyone, so rendered once per content version; rendering them was most of a
    learner's lesson page."""
    html = content_cache.cached(f"blank-quiz-questions:{quiz.id}", lambda: render_to_string(
        "lessons/_quiz_questions.html",
        {"quiz_rows": _quiz_rows(questions), "attempt_revised_since": False}))
    return mark_safe(html)  # noqa: S308 - our own template's output, escaped as it rendered


def lesson_detail(request, course_slug: str, lesson_slug: str):
    if request.user.is_authenticated or len(messages.get_messages(request)):
        return _render_lesson(request, _page_or_404(request, course_slug, lesson_slug, cached=True))
    # Every anonymous visitor gets the same page (no form they can post, nothing of theirs),
    # so it is cached whole, under the content version like the rest of the lesson's parts.
    html = content_cache.cached(
        f"anonymous-html:{request.path}",
        lambda: _render_lesson(
            request, _page_or_404(request, course_slug, lesson_slug, cached=True)
        ).content.decode(),
    )
    return HttpResponse(html)


@require_POST
def lesson_quiz_submit(request, course_slug: str, lesson_slug: str):
    page = _page_or_404(request, course_slug, lesson_slug)
    lesson_url = reverse("lesson-detail", args=[course_slug, lesson_slug])
    if not request.user.is_authenticated:
        return redirect_to_login(lesson_url)
    quiz = page.quiz
    if quiz is None:
        raise Http404("This lesson has no quiz.")
    submitted = {}
    for question in quiz.questions.all():
        name = f"q{question.id}"
        if question.kind == QuestionKind.MULTIPLE:
            submitted[str(question.id)] = request.POST.getlist(name)
        else:
            submitted[str(question.id)] = request.POST.get(name)
    try:
        attempt = services.attempt_submit(user=request.user, quiz=quiz, answers=submitted)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return _render_lesson(request, page, submitted=submitted, errors=errors, status=400)
    return redirect(f"{lesson_url}?attempt={attempt.id}#quiz")


@require_POST
def lesson_complete(request, course_slug: str, lesson_slug: str):
    lesson = selectors.lesson_for_page(
        user=request.user, course_slug=course_slug, lesson_slug=lesson_slug
    )
    if lesson is None:
        raise Http404("No such lesson.")
    lesson_url = reverse("lesson-detail", args=[course_slug, lesson_slug])
    if not request.user.is_authenticated:
        return redirect_to_login(lesson_url)
    services.lesson_mark_complete(user=request.user, lesson=lesson)
    return redirect(f"{lesson_url}#complete")


@login_required
def dashboard(request):
    return render(request, "lessons/dashboard.html", selectors.dashboard_for(user=request.user))
