"""Write validated content files (see lessons.content) into the database, idempotently.

For each course and lesson the loader remembers two hashes: `source_hash`, of the file data
it loaded, and `content_hash`, of the rows as it wrote them. On the next run:

- file unchanged and rows as the loader left them → unchanged, nothing written;
- rows differ from `content_hash` (an instructor edited them in the admin, or they were
  created there) → skipped with a warning, unless `force`. A lesson whose file changed too
  is flagged: the file's version waits as its PendingLessonUpdate (with the diff) for an
  instructor to accept or keep (`pending_update_accept` / `pending_update_keep`);
- otherwise → updated in place (labs, questions and choices keep their ids where they can,
  so training runs keep pointing at them; past attempts keep the questions as they
  answered them, see QuestionVersion).
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from lessons.content import CourseSpec, LessonSpec, read_content
from lessons.lesson_text import lesson_diff
from lessons.models import (
    Challenge,
    Choice,
    Course,
    Lab,
    Lesson,
    Module,
    PendingLessonUpdate,
    PredictionChoice,
    PredictionQuestion,
    Question,
    Quiz,
)
from lessons.services import lessons_rerender


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)  # skipped, with a pending update stored
    warnings: list[str] = field(default_factory=list)
    rerendered: int = 0

    def summary(self) -> str:
        flagged = f" ({len(self.flagged)} with an update to review)" if self.flagged else ""
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped{flagged}"
        )


def _hash(data) -> str:
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def course_state(course: Course) -> dict:
    """What the loader controls of a course, as stored now."""
    return {
        "title": course.title,
        "summary": course.summary,
        "order": course.order,
        "is_published": course.is_published,
        "modules": sorted(
            [m.slug, m.title, m.order] for m in Module.objects.filter(course=course)
        ),
    }


def lesson_state(lesson: Lesson) -> dict:
    """What the loader controls of a lesson (with its labs and quiz), as stored now."""
    state = {
        "module": [lesson.module.course.slug, lesson.module.slug],
        "fields": [lesson.title, lesson.summary, lesson.body, lesson.order, lesson.status],
        "labs": [
            [lab.slug, lab.title, lab.order, lab.instructions, lab.preset_config, lab.tunable,
             *_challenge_state(lab), *_predictions_state(lab)]
            for lab in Lab.objects.filter(lesson=lesson).order_by("slug")
        ],
        "quiz": None,
    }
    quiz = Quiz.objects.filter(lesson=lesson).first()
    if quiz is not None:
        questions = Question.objects.filter(quiz=quiz).order_by("order", "id")
        state["quiz"] = [
            quiz.title,
            quiz.pass_mark,
            [
                [q.order, q.kind, q.prompt, q.explanation, q.answer, q.tolerance,
                 [[c.order, c.text, c.is_correct] for c in q.choices.order_by("order", "id")]]
                for q in questions
            ],
        ]  # fmt: skip
    return state


def _challenge_state(lab: Lab) -> list:
    """A lab's challenge as stored, or nothing (so a lab without one hashes as it always did)."""
    challenge = Challenge.objects.filter(lab=lab).first()
    if challenge is None:
        return []
    state = [challenge.metric, challenge.op, challenge.target, challenge.max_params,
             challenge.bounds]
    if challenge.also_metric:  # only then: a challenge without one hashes as it always did
        state += [challenge.also_metric, challenge.also_op, challenge.also_target]
    return [state]


def _predictions_state(lab: Lab) -> list:
    """A lab's prediction questions as stored, or nothing (a lab without any hashes as before)."""
    questions = PredictionQuestion.objects.filter(lab=lab).order_by("order", "id")
    return [[
        [q.order, q.kind, q.prompt, q.run_changes, q.outcome, q.tolerance, q.explanation,
         [[c.order, c.text, c.low, c.high] for c in q.choices.order_by("order", "id")]]
        for q in questions
    ]] if questions else []


def _write_predictions(lab: Lab, specs: list[dict]) -> None:
    def save_question(question: PredictionQuestion, spec: dict) -> None:
        spec = dict(spec)
        choices = spec.pop("choices")
        _save_fields(question, spec)
        _sync_children(
            list(question.choices.order_by("order", "id")), choices,
            lambda c: PredictionChoice.objects.create(question=question, **c),
            _save_fields,
        )

    _sync_children(
        list(PredictionQuestion.objects.filter(lab=lab).order_by("order", "id")), specs,
        lambda spec: save_question(PredictionQuestion(lab=lab), spec),
        save_question,
    )


def _write_challenge(lab: Lab, spec: dict | None) -> None:
    if spec is None:
        Challenge.objects.filter(lab=lab).delete()
        return
    challenge = Challenge.objects.filter(lab=lab).first() or Challenge(lab=lab)
    _save_fields(challenge, spec)


def _edited(row, state: dict) -> bool:
    # A row the loader never wrote (created in the admin) counts as the instructor's.
    return not row.content_hash or _hash(state) != row.content_hash


def _write_course(spec: CourseSpec, course: Course | None) -> Course:
    data = spec.data
    if course is None:
        course = Course(slug=data["slug"])
    for key in ("title", "summary", "order", "is_published"):
        setattr(course, key, data[key])
    course.save()
    wanted = {m["slug"]: m for m in data["modules"]}
    for module in Module.objects.filter(course=course):
        if module.slug in wanted:
            m = wanted.pop(module.slug)
            module.title, module.order = m["title"], m["order"]
            module.save()
    for m in wanted.values():
        Module.objects.create(course=course, **m)
    # Modules dropped from course.yaml are kept: deleting one would delete its lessons.
    return course


def _sync_children(existing: list, specs: list[dict], make, update) -> None:
    """Update rows in place pairwise, create the extra specs, delete the extra rows."""
    for row, spec in zip(existing, specs, strict=False):
        update(row, spec)
    for spec in specs[len(existing) :]:
        make(spec)
    for row in existing[len(specs) :]:
        row.delete()


def _write_quiz(lesson: Lesson, spec: dict | None) -> None:
    quiz = Quiz.objects.filter(lesson=lesson).first()
    if spec is None:
        if quiz is not None:
            quiz.delete()
        return
    if quiz is None:
        quiz = Quiz(lesson=lesson)
    quiz.title, quiz.pass_mark = spec["title"], spec["pass_mark"]
    quiz.save()

    def save_question(question: Question, q: dict) -> None:
        for key in ("order", "kind", "prompt", "explanation", "answer", "tolerance"):
            setattr(question, key, q[key])
        question.save()
        _sync_children(
            list(question.choices.order_by("order", "id")),
            q["choices"],
            lambda c: Choice.objects.create(question=question, **c),
            lambda row, c: _save_fields(row, c),
        )

    _sync_children(
        list(quiz.questions.order_by("order", "id")),
        spec["questions"],
        lambda q: save_question(Question(quiz=quiz), q),
        save_question,
    )


def _save_fields(row, values: dict) -> None:
    for key, value in values.items():
        setattr(row, key, value)
    row.save()


def _write_lesson(spec: LessonSpec, module: Module, lesson: Lesson | None) -> Lesson:
    data = spec.data
    if lesson is None:
        lesson = Lesson(slug=data["slug"])
    lesson.module = module
    for key in ("title", "summary", "order", "status"):
        setattr(lesson, key, data[key])
    lesson.body = spec.body
    lesson.source_path = spec.path
    lesson.save()
    labs = {lab.slug: lab for lab in Lab.objects.filter(lesson=lesson)}
    for lab_spec in data["labs"]:
        lab_spec = dict(lab_spec)
        challenge = lab_spec.pop("challenge", None)
        predictions = lab_spec.pop("predictions", [])
        lab = labs.pop(lab_spec["slug"], None) or Lab(lesson=lesson)
        _save_fields(lab, lab_spec)
        _write_challenge(lab, challenge)
        _write_predictions(lab, predictions)
    for stale in labs.values():
        stale.delete()  # its training runs keep their history (TrainingJob.lab is SET_NULL)
    _write_quiz(lesson, data["quiz"])
    return lesson


@transaction.atomic
def load_content(root: Path | str, *, force: bool = False) -> LoadReport:
    """Validate everything under `root`, then write it in one transaction.

    Raises lessons.content.ContentError (nothing written) when any file is invalid.
    """
    report = LoadReport()
    for spec in read_content(Path(root)):
        slug = spec.data["slug"]
        course = Course.objects.filter(slug=slug).first()
        label = f"course {slug}"
        source_hash = _hash(spec.data)
        edited = course is not None and _edited(course, course_state(course))
        if edited and not force:
            report.skipped.append(label)
            report.warnings.append(
                f"{spec.path}: skipped: course {slug!r} was changed in the admin "
                "(use --force to overwrite it)"
            )
        elif course is not None and not edited and course.source_hash == source_hash:
            report.unchanged.append(label)
        else:
            (report.created if course is None else report.updated).append(label)
            course = _write_course(spec, course)
            course.source_hash, course.content_hash = source_hash, _hash(course_state(course))
            course.save(update_fields=["source_hash", "content_hash"])
        modules = {m.slug: m for m in Module.objects.filter(course=course)}
        for lesson_spec in spec.lessons:
            _load_lesson(lesson_spec, modules, report, force=force)
    # Stored HTML is derived data: bring it up to date with the current renderer everywhere,
    # including lessons that were unchanged, skipped or written in the admin.
    report.rerendered = lessons_rerender()
    return report


def _lesson_source_hash(spec: LessonSpec) -> str:
    return _hash({"data": spec.data, "body": spec.body, "module": spec.module_slug})


def _load_lesson(spec: LessonSpec, modules: dict, report: LoadReport, *, force: bool) -> None:
    slug = spec.data["slug"]
    label = f"lesson {slug}"
    module = modules.get(spec.module_slug)
    lesson = Lesson.objects.select_related("module__course").filter(slug=slug).first()
    source_hash = _lesson_source_hash(spec)
    if module is None:
        # Only when the course itself was skipped and lacks this module.
        report.skipped.append(label)
        report.warnings.append(f"{spec.path}: skipped: module {spec.module_slug!r} does not exist")
        return
    edited = lesson is not None and _edited(lesson, lesson_state(lesson))
    if edited and not force:
        report.skipped.append(label)
        prefix = f"{spec.path}: skipped: lesson {slug!r} was changed in the admin"
        if source_hash in (lesson.source_hash, lesson.kept_source_hash):
            # Nothing new from the file (or its instructor kept theirs over this very file).
            PendingLessonUpdate.objects.filter(lesson=lesson).delete()
            report.warnings.append(f"{prefix} (use --force to overwrite it)")
        else:
            _flag_update(lesson, spec, module, source_hash)
            report.flagged.append(label)
            report.warnings.append(
                f"{prefix} and its file changed: the update waits in the admin for an "
                "instructor to accept or keep (or use --force to overwrite the edit)"
            )
        return
    if lesson is not None and not edited and lesson.source_hash == source_hash:
        report.unchanged.append(label)
        return
    (report.created if lesson is None else report.updated).append(label)
    write_lesson_file(spec, module, lesson, source_hash)


def write_lesson_file(
    spec: LessonSpec, module: Module, lesson: Lesson | None, source_hash: str
) -> Lesson:
    """Write a lesson file's content and remember it as loaded (no pending update left)."""
    lesson = _write_lesson(spec, module, lesson)
    lesson = Lesson.objects.select_related("module__course").get(pk=lesson.pk)
    lesson.source_hash, lesson.content_hash = source_hash, _hash(lesson_state(lesson))
    Lesson.objects.filter(pk=lesson.pk).update(
        source_hash=lesson.source_hash, content_hash=lesson.content_hash, kept_source_hash=""
    )
    PendingLessonUpdate.objects.filter(lesson=lesson).delete()
    return lesson


def _flag_update(lesson: Lesson, spec: LessonSpec, module: Module, source_hash: str) -> None:
    diff = lesson_diff(lesson, spec.data, spec.body, module_slug=module.slug, path=spec.path)
    PendingLessonUpdate.objects.update_or_create(
        lesson=lesson,
        defaults={
            "source_path": spec.path,
            "source_hash": source_hash,
            "course_slug": module.course.slug,
            "module_slug": module.slug,
            "data": spec.data,
            "body": spec.body,
            "diff": diff,
        },
    )


@transaction.atomic
def pending_update_accept(*, lesson: Lesson) -> Lesson:
    """Replace the lesson's admin edit with the file version waiting for it.

    ValidationError when there is none (already handled) or its module is gone.
    """
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
    update = PendingLessonUpdate.objects.filter(lesson=lesson).first()
    if update is None:
        raise ValidationError(f"Lesson {lesson.slug!r} has no file update waiting.")
    module = Module.objects.select_related("course").filter(
        course__slug=update.course_slug, slug=update.module_slug
    ).first()
    if module is None:
        raise ValidationError(
            f"Module {update.module_slug!r} of course {update.course_slug!r} no longer "
            "exists: run load_lessons again to load the course first."
        )
    spec = LessonSpec(
        path=update.source_path, module_slug=update.module_slug, data=update.data,
        body=update.body,
    )  # fmt: skip
    return write_lesson_file(spec, module, lesson, update.source_hash)


@transaction.atomic
def pending_update_keep(*, lesson: Lesson) -> None:
    """Keep the admin edit: the file version waiting is marked seen and will not flag again.

    ValidationError when there is none (already handled).
    """
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
    update = PendingLessonUpdate.objects.filter(lesson=lesson).first()
    if update is None:
        raise ValidationError(f"Lesson {lesson.slug!r} has no file update waiting.")
    Lesson.objects.filter(pk=lesson.pk).update(kept_source_hash=update.source_hash)
    update.delete()
