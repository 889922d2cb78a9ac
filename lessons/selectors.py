"""Reads of the lessons app, and the one place that decides who may see what.

Learners see published lessons of published courses; staff see everything (that is the
instructor's preview of a draft).
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, QuerySet

from lessons import content_cache
from lessons.challenges import challenge_statuses, challenges_of
from lessons.models import (
    Attempt,
    Course,
    Lab,
    Lesson,
    LessonProgress,
    LessonStatus,
    Module,
    PredictionChoice,
    PredictionQuestion,
    Question,
    QuestionVersion,
    Quiz,
)
from lessons.revision_models import question_snapshot


def _is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_staff)


def courses_visible_to(*, user) -> QuerySet[Course]:
    courses = Course.objects.all()
    return courses if _is_staff(user) else courses.filter(is_published=True)


def lessons_visible_to(*, user) -> QuerySet[Lesson]:
    lessons = Lesson.objects.select_related("module__course")
    if _is_staff(user):
        return lessons
    return lessons.filter(status=LessonStatus.PUBLISHED, module__course__is_published=True)


def lesson_is_preview(lesson: Lesson) -> bool:
    """True when only staff can see this lesson (a draft, or in an unpublished course)."""
    return not (lesson.is_published and lesson.module.course.is_published)


OUTLINE_DEFERRED = ("body", "body_html", "source_path", "source_hash", "content_hash",
                    "kept_source_hash")


def courses_with_outline(*, user, course_slug: str | None = None) -> QuerySet[Course]:
    """Courses with `modules` and each module's visible `lessons` prefetched (3 queries)."""
    # Each lesson's count of challenges, in the same query (outlines show passed ones).
    # Not the lesson's text: the outline is cached and unpickled on every course page and
    # dashboard (with the text it was ~0.9 MB), and no outline shows it. Nor a module and
    # course per lesson: the prefetch sets each lesson's module to the one it hangs from.
    lessons = (lessons_visible_to(user=user).select_related(None).order_by("order", "id")
               .defer(*OUTLINE_DEFERRED).annotate(challenge_count=Count("labs__challenge"),
                                                  quiz_pk=F("quiz__id")))
    modules = Module.objects.order_by("order", "id").prefetch_related(
        Prefetch("lessons", queryset=lessons)
    )
    courses = courses_visible_to(user=user).prefetch_related(Prefetch("modules", queryset=modules))
    if course_slug is not None:
        courses = courses.filter(slug=course_slug)
    return courses


def outline_cached(*, user, course_slug: str | None = None) -> list[Course]:
    """courses_with_outline as a list, from the content cache: the same for every learner
    (staff, who also see drafts, have entries of their own). The learner's own progress is
    attached by the caller, to the copies the cache hands out."""
    audience = "staff" if _is_staff(user) else "public"
    return content_cache.cached(
        f"outline:{audience}:{course_slug or '*'}",
        # An unknown slug is not cached (None is not): it must not fill the cache.
        lambda: _with_page_urls(list(courses_with_outline(user=user, course_slug=course_slug)))
        or None,
    ) or []


def _with_page_urls(courses: list[Course]) -> list[Course]:
    """Each outlined lesson's `page_url`, reversed once per content version rather than on
    every view of every outline (a course page reversed one per lesson)."""
    for course in courses:
        for module in course.modules.all():
            for lesson in module.lessons.all():
                lesson.page_url = lesson.get_absolute_url()
    return courses


def lesson_for_page(*, user, course_slug: str, lesson_slug: str) -> Lesson | None:
    """A lesson with its labs and quiz (questions, choices) loaded, or None if not visible."""
    quiz_questions = Question.objects.order_by("order", "id").prefetch_related("choices")
    return (
        lessons_visible_to(user=user)
        .filter(module__course__slug=course_slug, slug=lesson_slug)
        .prefetch_related(
            # A lab's challenge comes with it (and is cached with the page's content).
            Prefetch("labs", queryset=Lab.objects.order_by("order", "id")
                     .select_related("challenge")),
            Prefetch("labs__prediction_questions", queryset=PredictionQuestion.objects
                     .order_by("order", "id").prefetch_related(Prefetch(
                         "choices", queryset=PredictionChoice.objects.order_by("order", "id")))),
            Prefetch(
                "quiz",
                queryset=Quiz.objects.prefetch_related(
                    Prefetch("questions", queryset=quiz_questions)
                ),
            ),
        )
        .first()
    )


@dataclass(frozen=True)
class LessonPage:
    """What every learner allowed to see a lesson page shares: cacheable as a whole."""

    lesson: Lesson
    labs: list[Lab]
    quiz: Quiz | None
    previous: Lesson | None
    next: Lesson | None


def lesson_page(*, user, course_slug: str, lesson_slug: str) -> LessonPage | None:
    """A visible lesson with its labs, quiz and neighbours, from the database; or None."""
    lesson = lesson_for_page(user=user, course_slug=course_slug, lesson_slug=lesson_slug)
    if lesson is None:
        return None
    previous, following = lesson_neighbours(user=user, lesson=lesson)
    return LessonPage(lesson, list(lesson.labs.all()), lesson_quiz(lesson), previous, following)


def lesson_page_cached(*, user, course_slug: str, lesson_slug: str) -> LessonPage | None:
    """lesson_page, from the content cache when it has it (staff, who also see drafts, have
    entries of their own). For reading only: writes (grading a quiz) use lesson_page."""
    audience = "staff" if _is_staff(user) else "public"
    return content_cache.cached(
        f"page:{audience}:{course_slug}:{lesson_slug}",
        lambda: lesson_page(user=user, course_slug=course_slug, lesson_slug=lesson_slug),
    )


def lesson_quiz(lesson: Lesson) -> Quiz | None:
    try:
        return lesson.quiz
    except Quiz.DoesNotExist:
        return None


def lesson_neighbours(*, user, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    """The previous and next visible lessons of the same course, in outline order."""
    ordered = list(
        lessons_visible_to(user=user)
        .filter(module__course_id=lesson.module.course_id)
        .order_by("module__order", "module__id", "order", "id")
        .only("id", "slug", "title", "module__course__slug")
    )
    ids = [item.id for item in ordered]
    if lesson.id not in ids:
        return None, None
    i = ids.index(lesson.id)
    return (ordered[i - 1] if i > 0 else None, ordered[i + 1] if i + 1 < len(ordered) else None)


def progress_by_lesson(*, user) -> dict[int, LessonProgress]:
    if not (user and user.is_authenticated):
        return {}
    return {p.lesson_id: p for p in LessonProgress.objects.filter(user=user)}


def attempt_for_user(*, user, quiz: Quiz, attempt_id) -> Attempt | None:
    """One of the learner's own attempts at this quiz (for showing its results)."""
    try:
        attempt_id = int(attempt_id)
    except (TypeError, ValueError):
        return None
    return (
        Attempt.objects.filter(id=attempt_id, user=user, quiz=quiz)
        .prefetch_related(
            Prefetch("question_versions", queryset=QuestionVersion.objects.order_by("order"))
        )
        .first()
    )


@dataclass(frozen=True)
class AskedChoice:
    id: int
    text_html: str
    is_correct: bool


@dataclass(frozen=True)
class AttemptReview:
    """An attempt as the learner answered it: (question key, version, choices) in quiz
    order, and whether the quiz has been revised since (then it is not the current quiz)."""

    questions: list[tuple[str, QuestionVersion, list[AskedChoice]]]
    revised_since: bool


def attempt_review(*, attempt: Attempt, quiz: Quiz) -> AttemptReview:
    versions = list(attempt.question_versions.all())
    asked = [
        (str(v.question_key), v,
         [AskedChoice(c["id"], c["text_html"], c["is_correct"]) for c in v.choices])
        for v in versions
    ]  # fmt: skip
    current = {
        (q.id, question_snapshot(q, q.choices.all())["content_hash"])
        for q in quiz.questions.all()
    }
    return AttemptReview(asked, current != {(v.question_key, v.content_hash) for v in versions})


@dataclass
class CourseProgress:
    course: Course
    lessons: list[Lesson]
    completed: int
    next_lesson: Lesson | None
    # (lesson, progress or None) in outline order.
    rows: list[tuple[Lesson, LessonProgress | None]] = field(default_factory=list)
    challenge_count: int = 0
    challenges_passed: int = 0

    @property
    def total(self) -> int:
        return len(self.lessons)

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0


def dashboard_for(*, user) -> dict:
    """Per-course progress, the next lesson to study and recent quiz attempts of a learner."""
    progress = progress_by_lesson(user=user)
    courses: list[CourseProgress] = []
    for course in outline_cached(user=user):
        lessons = [lesson for module in course.modules.all() for lesson in module.lessons.all()]
        rows = [(lesson, progress.get(lesson.id)) for lesson in lessons]
        done = [lesson for lesson, p in rows if p and p.is_completed]
        next_lesson = next((lesson for lesson, p in rows if not (p and p.is_completed)), None)
        courses.append(CourseProgress(course, lessons, len(done), next_lesson, rows))
    challenges = challenges_passed_by_lesson(user=user, courses=[c.course for c in courses])
    for item in courses:
        counts = [challenges.get(lesson.id, (0, 0)) for lesson in item.lessons]
        item.challenge_count = sum(total for total, _ in counts)
        item.challenges_passed = sum(passed for _, passed in counts)
    recent_attempts = _recent_attempts(user=user, courses=[c.course for c in courses])
    # Continue in the course the learner touched last; else start the first unfinished one.
    open_courses = [c for c in courses if c.next_lesson]
    touched = [c for c in open_courses if any(p for _, p in c.rows)]
    continue_course = (
        max(touched, key=lambda c: max(p.updated_at for _, p in c.rows if p))
        if touched
        else next(iter(open_courses), None)
    )
    return {
        "courses": courses,
        "recent_attempts": recent_attempts,
        "continue_lesson": continue_course.next_lesson if continue_course else None,
    }


def _recent_attempts(*, user, courses) -> list[tuple[Attempt, Lesson]]:
    """The learner's ten newest quiz attempts, each with its lesson. The lessons come from
    the outline the dashboard holds (each outlined lesson carries its quiz's id), so the
    attempts are read without joining down to their courses; a lesson no longer in the
    outline (unpublished since) is read apart."""
    attempts = list(Attempt.objects.filter(user=user)
                    .only("id", "created_at", "score", "max_score", "quiz_id")
                    .order_by("-created_at", "-id")[:10])
    by_quiz = {getattr(lesson, "quiz_pk", None): lesson for course in courses
               for module in course.modules.all() for lesson in module.lessons.all()}
    missing = {attempt.quiz_id for attempt in attempts} - by_quiz.keys()
    for quiz in (Quiz.objects.filter(pk__in=missing).select_related("lesson__module__course")
                 .defer(*(f"lesson__{name}" for name in OUTLINE_DEFERRED)) if missing else []):
        quiz.lesson.page_url = quiz.lesson.get_absolute_url()
        by_quiz[quiz.pk] = quiz.lesson
    return [(attempt, by_quiz[attempt.quiz_id]) for attempt in attempts]


def challenges_passed_by_lesson(*, user, courses) -> dict[int, tuple[int, int]]:
    """Lesson id → (challenges on its labs, how many of them this learner passed), for
    courses from courses_with_outline: no query when none of their lessons has one."""
    if not any(lesson.challenge_count for course in courses for module in course.modules.all()
               for lesson in module.lessons.all()):
        return {}
    audience = "staff" if _is_staff(user) else "public"
    challenges = content_cache.cached(
        f"challenges:{audience}:{','.join(str(course.pk) for course in courses)}",
        # With their labs, not their lessons' text: this list is read on every course page
        # and dashboard (49 KB for the shipped course with the text, 9 KB without).
        lambda: list(challenges_of().select_related(None).select_related("lab").filter(
            lab__lesson__module__course__in=courses,
            lab__lesson__in=lessons_visible_to(user=user),
        )),
    )
    if not challenges:
        return {}
    statuses = {}
    if user.is_authenticated:
        statuses = challenge_statuses(users=[user], challenges=challenges)
    counts: dict[int, tuple[int, int]] = {}
    for challenge in challenges:
        total, passed = counts.get(challenge.lab.lesson_id, (0, 0))
        status = statuses.get((user.pk, challenge.pk))
        counts[challenge.lab.lesson_id] = (total + 1, passed + bool(status and status.passed))
    return counts
