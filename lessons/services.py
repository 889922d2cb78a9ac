"""State changes of the lessons app: grading quiz attempts and recording progress."""

import math
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lessons.content_cache import content_changed
from lessons.models import (
    Attempt,
    Choice,
    Lab,
    Lesson,
    LessonProgress,
    Question,
    QuestionKind,
    QuestionVersion,
    Quiz,
)
from lessons.revision_models import question_snapshot


def parse_number(raw: Any) -> float:
    """A learner's numeric answer ("0.5", "1e-3", " 13 ") as a float; ValueError otherwise."""
    if isinstance(raw, bool):
        raise ValueError("not a number")
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        text = str(raw).strip().replace("−", "-")  # a pasted Unicode minus sign
        if not text or "_" in text:
            raise ValueError("not a number")
        value = float(text)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


def _as_id(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        return None


def _grade_question(question: Question, raw: Any) -> tuple[bool, Any, Any]:
    """(correct, normalized given answer, expected answer); ValidationError on bad input."""
    if question.kind == QuestionKind.NUMERIC:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            raise ValidationError("Enter a number.")
        try:
            given = parse_number(raw)
        except (TypeError, ValueError):
            raise ValidationError(
                "Enter a number, such as 13, 0.5 or 1e-3 (got %(raw)s).",
                params={"raw": str(raw)[:40]},
            ) from None
        correct = abs(given - question.answer) <= question.tolerance
        return correct, given, {"answer": question.answer, "tolerance": question.tolerance}

    choice_ids = {c.id for c in question.choices.all()}
    right = sorted(c.id for c in question.choices.all() if c.is_correct)
    if question.kind == QuestionKind.SINGLE:
        if isinstance(raw, list | tuple):
            if len(raw) != 1:
                raise ValidationError("Choose exactly one answer.")
            raw = raw[0]
        if raw is None or raw == "":
            raise ValidationError("Choose an answer.")
        given = _as_id(raw)
        if given not in choice_ids:
            raise ValidationError("That is not one of this question's choices.")
        return given in right, given, right

    # Multiple choice: all and only the correct choices.
    if raw is None or raw == "":
        raw = []
    if not isinstance(raw, Iterable) or isinstance(raw, str | bytes | Mapping):
        raw = [raw]
    given_ids = [_as_id(r) for r in raw]
    if not given_ids:
        raise ValidationError("Choose at least one answer.")
    if any(g not in choice_ids for g in given_ids):
        raise ValidationError("That is not one of this question's choices.")
    given = sorted(set(given_ids))
    return given == right, given, right


@transaction.atomic
def attempt_submit(*, user, quiz: Quiz, answers: Mapping[Any, Any]) -> Attempt:
    """Grade and store one attempt; update the learner's best score and completion.

    `answers` maps question id (int or str) to: a choice id (single), a list of choice ids
    (multiple) or a number or numeric string (numeric). Any unusable answer raises a
    ValidationError whose message dict is keyed by question id as a string, and nothing is
    stored. Every question is worth one point; the lesson counts as completed once a score
    reaches the quiz's pass mark.
    """
    questions = list(quiz.questions.prefetch_related("choices"))
    if not questions:
        raise ValidationError("This quiz has no questions yet.")
    by_key = {str(k): v for k, v in answers.items()}
    results: dict[str, dict] = {}
    stored_answers: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for question in questions:
        key = str(question.id)
        try:
            correct, given, expected = _grade_question(question, by_key.get(key))
        except ValidationError as exc:
            errors[key] = exc.messages
            continue
        stored_answers[key] = given
        results[key] = {"correct": correct, "given": given, "expected": expected}
    if errors:
        raise ValidationError(errors)

    score = sum(1 for r in results.values() if r["correct"])
    attempt = Attempt.objects.create(
        user=user,
        quiz=quiz,
        answers=stored_answers,
        results=results,
        score=score,
        max_score=len(questions),
        pass_mark=quiz.pass_mark,
    )
    attempt.question_versions.set(question_versions_current(quiz=quiz, questions=questions))
    progress = _progress_for_update(user=user, lesson_id=quiz.lesson_id)
    if progress.best_score is None or attempt.percent > progress.best_score:
        progress.best_score = attempt.percent
    if score * 100 >= quiz.pass_mark * len(questions) and progress.completed_at is None:
        progress.completed_at = timezone.now()
    progress.save()
    return attempt


def question_versions_current(*, quiz: Quiz, questions: list[Question]) -> list[QuestionVersion]:
    """The versions matching `questions` as they are now: the latest version of each when
    its content is unchanged, else a new one (the first time, or after a rewrite).

    Runs inside the attempt's transaction. A new version is made under a lock on the quiz,
    so two learners answering a just-rewritten question do not both number it.
    """
    snapshots = {q.id: question_snapshot(q, q.choices.all()) for q in questions}
    latest = _latest_versions(snapshots)
    if all(latest.get(k) and latest[k].content_hash == s["content_hash"]
           for k, s in snapshots.items()):  # fmt: skip
        return list(latest.values())
    Quiz.objects.select_for_update().filter(pk=quiz.pk).first()
    latest = _latest_versions(snapshots)  # again: another attempt may have made them
    versions = []
    for key, snapshot in snapshots.items():
        version = latest.get(key)
        if version is None or version.content_hash != snapshot["content_hash"]:
            version = QuestionVersion.objects.create(
                quiz=quiz,
                question_id=key,
                question_key=key,
                number=version.number + 1 if version else 1,
                **snapshot,
            )
        versions.append(version)
    return versions


def _latest_versions(snapshots: dict[int, dict]) -> dict[int, QuestionVersion]:
    latest: dict[int, QuestionVersion] = {}
    for version in QuestionVersion.objects.filter(question_key__in=snapshots).order_by("number"):
        latest[version.question_key] = version
    return latest


@transaction.atomic
def lesson_mark_complete(*, user, lesson: Lesson) -> LessonProgress:
    """Mark a lesson completed for a learner (idempotent: the first completion time stays)."""
    progress = _progress_for_update(user=user, lesson_id=lesson.id)
    if progress.completed_at is None:
        progress.completed_at = timezone.now()
        progress.save()
    return progress


def _progress_for_update(*, user, lesson_id: int) -> LessonProgress:
    # get_or_create then lock: two concurrent submissions cannot lose each other's best score.
    LessonProgress.objects.get_or_create(user=user, lesson_id=lesson_id)
    return LessonProgress.objects.select_for_update().get(user=user, lesson_id=lesson_id)


def lessons_rerender() -> int:
    """Re-render every stored HTML field from its Markdown; returns how many rows changed.

    Pages serve the HTML stored at save time, so after the renderer itself changes (a new
    sanitizer rule, a MathML fix) this brings old rows up to date; `load_lessons` runs it.
    """
    changed = 0
    for model in (Lesson, Lab, Question, Choice):
        stale, html_fields = [], list(model().rendered())
        for row in model.objects.all().iterator():
            fresh = row.rendered()
            if any(getattr(row, name) != html for name, html in fresh.items()):
                row.__dict__.update(fresh)
                stale.append(row)
        model.objects.bulk_update(stale, html_fields, batch_size=200)
        changed += len(stale)
    if changed:
        content_changed()  # bulk_update sends no signal
    return changed
