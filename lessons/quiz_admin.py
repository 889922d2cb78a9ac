"""Quizzes in the admin: the quiz authoring page (its questions with their choices on one
page, and a preview as learners see it), the questions' own pages, the question versions
learners answered (read-only) and learners' attempts (narrowed like the rest of their work).
Apart from lessons.admin so that the authoring of lessons and of quizzes can change apart."""

import nested_admin
from django import forms
from django.contrib import admin
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.admin import LearnerWorkAdmin
from lessons import quiz_preview
from lessons.models import Attempt, Choice, Question, QuestionKind, QuestionVersion, Quiz


class ChoiceFormSet(nested_admin.formsets.NestedInlineFormSet):
    def clean(self):
        super().clean()
        _check_correct_choices(self.instance, self)


def _check_correct_choices(question: Question, formset) -> None:
    """A question's choices as the loader requires them (lessons.content), as a form error."""
    kept = [f for f in formset.forms if f.has_changed() or f.instance.pk]
    kept = [f for f in kept if not formset._should_delete_form(f) and f.is_valid()]
    n_correct = sum(1 for f in kept if f.cleaned_data.get("is_correct"))
    if question.kind == QuestionKind.SINGLE and n_correct != 1:
        raise ValidationError(
            f"A single-choice question needs exactly one correct choice (has {n_correct})."
        )
    if question.kind == QuestionKind.MULTIPLE and n_correct < 1:
        raise ValidationError("A multiple-choice question needs at least one correct choice.")
    if question.kind == QuestionKind.NUMERIC and kept:
        raise ValidationError("A numeric question has no choices: remove them.")


class ChoiceInline(nested_admin.NestedTabularInline):
    """A question's choices, on the question's own form: drag the handle or type the order."""

    model = Choice
    formset = ChoiceFormSet
    extra = 0
    fields = ["order", "text", "is_correct"]
    sortable_field_name = "order"


class QuestionInline(nested_admin.NestedStackedInline):
    """A quiz's questions with their choices, all on the quiz's page."""

    model = Question
    extra = 0
    fields = [("order", "kind"), "prompt", ("answer", "tolerance"), "explanation"]
    sortable_field_name = "order"
    inlines = [ChoiceInline]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})},
    }


class NestedAdmin(nested_admin.NestedModelAdmin):
    """A page of nested inlines. django-nested-admin fails (a 500) on a plain admin inline
    among them, so `manage.py check` names any such inline instead."""

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        for inline in self.inlines:
            if not issubclass(inline, nested_admin.nested.NestedInlineModelAdminMixin):
                errors.append(checks.Error(
                    f"{inline.__name__} must be a nested_admin.NestedStackedInline or "
                    f"NestedTabularInline: {type(self).__name__} nests its inlines.",
                    obj=type(self), id="lessons.E001",
                ))
        return errors


@admin.register(Quiz)
class QuizAdmin(NestedAdmin):
    """The quiz authoring page: its questions with their choices on one page, and a preview
    of the quiz exactly as learners see it."""

    list_display = ["title", "lesson", "pass_mark", "preview_link"]
    search_fields = ["title", "lesson__title"]
    list_select_related = ["lesson"]
    fields = ["lesson", "title", "pass_mark", "preview_link"]
    readonly_fields = ["preview_link"]
    inlines = [QuestionInline]

    def get_urls(self):
        preview = self.admin_site.admin_view(quiz_preview.quiz_preview_view(self))
        return [
            path("<int:object_id>/preview/", preview, name="lessons_quiz_preview"),
            *super().get_urls(),
        ]

    @admin.display(description="Preview")
    def preview_link(self, obj: Quiz) -> str:
        if obj.pk is None:
            return "Save the quiz to preview it."
        url = reverse("admin:lessons_quiz_preview", args=[obj.pk])
        return format_html('<a href="{}">Preview as a learner sees it</a>', url)


@admin.register(Question)
class QuestionAdmin(NestedAdmin):
    list_display = ["__str__", "quiz", "kind", "order"]
    list_filter = ["kind", "quiz__lesson__module__course"]
    search_fields = ["prompt", "quiz__lesson__title"]
    list_select_related = ["quiz__lesson"]
    inlines = [ChoiceInline]


@admin.register(Attempt)
class AttemptAdmin(LearnerWorkAdmin):
    learner_field = "user"
    list_display = ["created_at", "user", "quiz", "score", "max_score"]
    list_filter = ["quiz__lesson__module__course", "quiz"]
    search_fields = ["user__username", "quiz__lesson__title"]
    list_select_related = ["user", "quiz__lesson"]
    date_hierarchy = "created_at"


@admin.register(QuestionVersion)
class QuestionVersionAdmin(admin.ModelAdmin):
    """The questions as learners answered them (made when grading, see QuestionVersion):
    a record, read by authors, edited by nobody."""

    list_display = ["__str__", "quiz", "number", "kind", "created_at"]
    list_filter = ["quiz__lesson__module__course", "kind"]
    search_fields = ["prompt", "quiz__lesson__title"]
    list_select_related = ["quiz__lesson"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
