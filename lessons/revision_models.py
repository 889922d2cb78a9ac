"""How content corrections reach a database that learners and instructors already use.

Two records, both written by code (never edited by hand in the admin):

- `QuestionVersion`: a question as a learner was graded against it. Questions stay the
  editable rows instructors and the loader change in place; an attempt points at the
  snapshots of what it answered, so a rewrite never changes what a past attempt means.
- `PendingLessonUpdate`: a newer lesson file that `load_lessons` did not apply because an
  instructor had edited the lesson in the admin; it waits for them to accept or keep.

Imported by lessons.models, so Django registers them with the app.
"""

import hashlib
import json

from django.db import models

# The fields of a question a snapshot keeps (besides its choices). Its content hash covers
# them all but the HTML, which a renderer upgrade may change without changing a word.
SNAPSHOT_FIELDS = (
    "order", "kind", "prompt", "prompt_html", "explanation", "explanation_html", "answer",
    "tolerance",
)  # fmt: skip
CHOICE_FIELDS = ("id", "order", "text", "text_html", "is_correct")


def question_snapshot(question, choices) -> dict:
    """The QuestionVersion fields for a question and its choices, as they are now.

    Plain attribute reads, so the data migration can pass its historical models.
    """
    snapshot = {name: getattr(question, name) for name in SNAPSHOT_FIELDS}
    snapshot["choices"] = [
        {name: getattr(choice, name) for name in CHOICE_FIELDS}
        for choice in sorted(choices, key=lambda c: (c.order, c.id))
    ]
    graded = {k: v for k, v in snapshot.items() if not k.endswith("_html")}
    graded["choices"] = [
        {k: v for k, v in c.items() if not k.endswith("_html")} for c in snapshot["choices"]
    ]
    blob = json.dumps(graded, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    snapshot["content_hash"] = hashlib.sha256(blob.encode()).hexdigest()
    return snapshot


class QuestionVersion(models.Model):
    """A question as it was asked: wording, choices, answer, as HTML and source.

    Why snapshots rather than immutable question rows: grading, the quiz page and the admin
    keep working on one plain `Question` per slot (edited in place, as instructors expect),
    and only the attempt needs history. `attempt_submit` takes the snapshot: it reuses the
    question's latest version when the content is the same (same `content_hash`) and makes
    version N+1 otherwise. The attempt stores the versions it answered
    (`Attempt.question_versions`); its `answers` and `results` stay keyed by the question's
    id, kept here as `question_key` because that id outlives a deleted question
    (`question` is then null, the snapshot stays).

    `choices` is a list of {"id", "order", "text", "text_html", "is_correct"}: the ids are
    the Choice ids the learner's answer names, so a choice reworded or deleted later still
    reads as it did. Moving a question makes a new version too (its `order` is in the hash),
    so every attempt shows its questions in the order it was asked.
    """

    quiz = models.ForeignKey(
        "lessons.Quiz", on_delete=models.CASCADE, related_name="question_versions"
    )
    question = models.ForeignKey(
        "lessons.Question",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="versions",
    )
    question_key = models.PositiveBigIntegerField(
        db_index=True, help_text="The question's id: the key of the attempt's answers."
    )
    number = models.PositiveIntegerField(help_text="1 for the first version asked, then 2…")
    content_hash = models.CharField(max_length=64)
    order = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=16)
    prompt = models.TextField()
    prompt_html = models.TextField(blank=True)
    explanation = models.TextField(blank=True)
    explanation_html = models.TextField(blank=True)
    answer = models.FloatField(null=True, blank=True)
    tolerance = models.FloatField(default=0)
    choices = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["quiz", "order", "question_key", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["question_key", "number"], name="question_version_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Q{self.order} v{self.number}: {self.prompt[:60]}"


class PendingLessonUpdate(models.Model):
    """A lesson file newer than the lesson's admin-edited rows, waiting for an instructor.

    `load_lessons` stores it instead of overwriting the edit: the file's validated content
    (enough to apply it later without the file) and a unified diff from the lesson as it
    stood then to the file. Accepting writes the file's version as the loader would;
    keeping records `Lesson.kept_source_hash`, so the same file does not flag again while a
    newer one does. One per lesson: a newer file replaces it.
    """

    lesson = models.OneToOneField(
        "lessons.Lesson", on_delete=models.CASCADE, related_name="pending_update"
    )
    source_path = models.CharField(max_length=300)
    source_hash = models.CharField(max_length=64)
    course_slug = models.SlugField(max_length=100)
    module_slug = models.SlugField(max_length=100)
    data = models.JSONField(help_text="The file's front matter, validated and normalized.")
    body = models.TextField()
    diff = models.TextField(help_text="Unified diff: the lesson as edited → the file.")
    flagged_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-flagged_at", "-id"]

    def __str__(self) -> str:
        return f"File update for {self.lesson}"
