"""The lessons app's part of a person's data (registered with accounts.personal_data in
LessonsConfig.ready): quiz attempts, predictions made before lab runs, lesson progress.
Deleting the account removes them by cascade: nothing more to do."""

from django.contrib.auth.models import User

from accounts.personal_data import iso
from lessons.models import Attempt, LessonProgress, Prediction


def _attempt(attempt: Attempt) -> dict:
    return {
        "id": attempt.pk,
        "lesson": attempt.quiz.lesson.title,
        "score": attempt.score,
        "max_score": attempt.max_score,
        "percent": round(attempt.percent, 1),
        "answers": attempt.answers,
        "results": attempt.results,
        "created_at": iso(attempt.created_at),
    }


def export(user: User) -> dict[str, list[dict]]:
    attempts = (Attempt.objects.filter(user=user)
                .select_related("quiz__lesson").order_by("created_at", "id"))
    progress = (LessonProgress.objects.filter(user=user)
                .select_related("lesson").order_by("lesson__title"))
    predictions = (Prediction.objects.filter(user=user)
                   .select_related("question__lab__lesson", "choice").order_by("created_at", "id"))
    return {
        "quiz_attempts": [_attempt(attempt) for attempt in attempts],
        "lab_predictions": [
            {"lesson": p.question.lab.lesson.title, "lab": p.question.lab.title,
             "question": p.question.prompt, "choice": p.choice.text if p.choice else None,
             "value": p.value, "run": p.job_id, "created_at": iso(p.created_at)}
            for p in predictions
        ],
        "lesson_progress": [
            {"lesson": p.lesson.title, "completed_at": iso(p.completed_at),
             "best_quiz_score": p.best_score}
            for p in progress
        ],
    }
