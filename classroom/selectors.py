"""Reads of the classroom, and the one place that decides who sees which class.

A class is visible to its instructors (and site administrators); a learner sees only the
classes they joined, and nothing of the other learners in them.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, Max, QuerySet, Window
from django.db.models.functions import RowNumber

from classroom.models import Cohort, Membership
from jobs.models import TrainingJob
from lessons.challenges import ChallengeStatus, challenge_statuses, challenges_of
from lessons.models import Attempt, Lesson, LessonProgress, LessonStatus, Question, QuestionKind
from lessons.predictions import PredictionTally, prediction_tallies

RECENT_RUNS = 3


def learner_ids_taught_by(user) -> QuerySet:
    """Ids of the learners in the classes `user` teaches (registered as a learner scope)."""
    return Membership.objects.filter(cohort__instructors=user).values("learner_id")


def cohorts_taught_by(*, user) -> QuerySet[Cohort]:
    if not user.is_authenticated:
        return Cohort.objects.none()
    cohorts = Cohort.objects.select_related("course").annotate(n_learners=Count("memberships"))
    return cohorts if user.is_superuser else cohorts.filter(instructors=user)


def cohorts_joined_by(*, user) -> QuerySet[Cohort]:
    if not user.is_authenticated:
        return Cohort.objects.none()
    return Cohort.objects.select_related("course").filter(memberships__learner=user)


def cohort_for_instructor(*, user, cohort_id: int) -> Cohort | None:
    """The class if `user` teaches it; None otherwise, so callers answer 404 either way."""
    return cohorts_taught_by(user=user).filter(pk=cohort_id).first()


def cohort_open_for_joining(*, code: str) -> Cohort | None:
    return Cohort.objects.select_related("course").filter(
        join_code=code, joining_open=True
    ).first()


@dataclass
class LearnerRow:
    """One learner's line of a class's grade book."""

    membership: Membership
    lessons_completed: int = 0
    best_scores: dict[int, float] = field(default_factory=dict)  # lesson id → best percent
    attempts: int = 0
    challenges: dict[int, ChallengeStatus] = field(default_factory=dict)  # by challenge id
    predictions: PredictionTally = field(default_factory=PredictionTally)
    runs: int = 0
    recent_runs: list[TrainingJob] = field(default_factory=list)
    last_activity: datetime | None = None

    @property
    def learner(self):
        return self.membership.learner

    @property
    def mean_score(self) -> float | None:
        scores = list(self.best_scores.values())
        return sum(scores) / len(scores) if scores else None

    @property
    def challenges_passed(self) -> int:
        return sum(1 for status in self.challenges.values() if status.passed)


@dataclass
class GradeBook:
    cohort: Cohort
    lessons: list[Lesson]
    challenges: list
    rows: list[LearnerRow]


def _seen(current: datetime | None, new: datetime | None) -> datetime | None:
    return max(d for d in (current, new) if d is not None) if (current or new) else None


def gradebook(*, cohort: Cohort) -> GradeBook:
    """Every learner of the class with their progress through its course, quiz scores and
    attempts, challenges, predict-then-run questions, runs and last activity (a fixed number
    of queries)."""
    memberships = list(cohort.memberships.select_related("learner"))
    rows = {m.learner_id: LearnerRow(m) for m in memberships}
    learner_ids = list(rows)
    lessons = list(
        Lesson.objects.filter(module__course=cohort.course, status=LessonStatus.PUBLISHED)
        .select_related("module").order_by("module__order", "module__id", "order", "id")
    )
    challenges = list(challenges_of(course=cohort.course))
    progress = LessonProgress.objects.filter(user_id__in=learner_ids, lesson__in=lessons)
    for p in progress:
        row = rows[p.user_id]
        row.lessons_completed += p.completed_at is not None
        if p.best_score is not None:
            row.best_scores[p.lesson_id] = p.best_score
        row.last_activity = _seen(row.last_activity, p.updated_at)
    attempts = (
        Attempt.objects.filter(user_id__in=learner_ids, quiz__lesson__module__course=cohort.course)
        .values("user_id").annotate(n=Count("id"), last=Max("created_at"))
    )
    for item in attempts:
        rows[item["user_id"]].attempts = item["n"]
        rows[item["user_id"]].last_activity = _seen(rows[item["user_id"]].last_activity,
                                                    item["last"])
    runs = (TrainingJob.objects.filter(owner_id__in=learner_ids)
            .values("owner_id").annotate(n=Count("id"), last=Max("created_at")))
    for item in runs:
        rows[item["owner_id"]].runs = item["n"]
        rows[item["owner_id"]].last_activity = _seen(rows[item["owner_id"]].last_activity,
                                                     item["last"])
    newest_first = Window(RowNumber(), partition_by=F("owner_id"), order_by=F("id").desc())
    recent = (TrainingJob.objects.filter(owner_id__in=learner_ids).select_related("lab")
              .annotate(rank=newest_first).filter(rank__lte=RECENT_RUNS).order_by("-id"))
    for job in recent:
        rows[job.owner_id].recent_runs.append(job)
    statuses = challenge_statuses(users=learner_ids, challenges=challenges)
    for (user_id, challenge_id), status in statuses.items():
        rows[user_id].challenges[challenge_id] = status
    for user_id, tally in prediction_tallies(users=learner_ids, course=cohort.course).items():
        rows[user_id].predictions = tally
    return GradeBook(cohort, lessons, challenges, list(rows.values()))


SORT_KEYS = {
    "name": lambda row: row.learner.username.lower(),
    "progress": lambda row: row.lessons_completed,
    "score": lambda row: -1 if row.mean_score is None else row.mean_score,
    "challenges": lambda row: row.challenges_passed,
    "predictions": lambda row: (row.predictions.right, row.predictions.made),
    "runs": lambda row: row.runs,
    "activity": lambda row: row.last_activity.timestamp() if row.last_activity else 0,
}


def sorted_rows(rows: list[LearnerRow], *, sort: str, descending: bool) -> list[LearnerRow]:
    key = SORT_KEYS.get(sort, SORT_KEYS["name"])
    return sorted(rows, key=key, reverse=descending)


@dataclass
class ItemStats:
    """How a class answered one question, from each learner's latest attempt at its quiz."""

    question: Question
    answered: int
    missed: int
    # (answer as the learner sees it, how many gave it, whether it is right), most given first
    distribution: list[tuple[str, int, bool]]

    @property
    def miss_rate(self) -> float:
        return self.missed / self.answered if self.answered else 0.0


def item_analysis(*, cohort: Cohort) -> list[ItemStats]:
    """Every question of the class's course that its learners answered, most missed first."""
    learner_ids = cohort.memberships.values("learner_id")
    latest: dict[tuple[int, int], Attempt] = {}
    attempts = Attempt.objects.filter(
        user_id__in=learner_ids, quiz__lesson__module__course=cohort.course
    ).order_by("created_at", "id")
    for attempt in attempts:
        latest[(attempt.user_id, attempt.quiz_id)] = attempt  # newest wins
    if not latest:
        return []
    questions = {
        q.pk: q for q in Question.objects.filter(quiz_id__in={k[1] for k in latest})
        .select_related("quiz__lesson").prefetch_related("choices")
    }
    given: dict[int, Counter] = defaultdict(Counter)
    missed: Counter = Counter()
    answered: Counter = Counter()
    for attempt in latest.values():
        for key, result in attempt.results.items():
            question_id = int(key)
            if question_id not in questions:
                continue  # the question was deleted since
            answered[question_id] += 1
            missed[question_id] += not result.get("correct")
            answer = result.get("given")
            for item in answer if isinstance(answer, list) else [answer]:
                given[question_id][item] += 1
    stats = []
    for question_id, n in answered.items():
        question = questions[question_id]
        stats.append(ItemStats(question, n, missed[question_id],
                               _distribution(question, given[question_id])))
    return sorted(stats, key=lambda s: (-s.miss_rate, -s.missed, s.question.pk))


def _distribution(question: Question, given: Counter) -> list[tuple[str, int, bool]]:
    if question.kind == QuestionKind.NUMERIC:
        right = question.answer
        return [
            (f"{value:g}", n, abs(value - right) <= question.tolerance)
            for value, n in given.most_common() if isinstance(value, int | float)
        ]
    rows = [(choice.text, given.get(choice.pk, 0), choice.is_correct)
            for choice in question.choices.all()]
    return sorted(rows, key=lambda r: -r[1])
