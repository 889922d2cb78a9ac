"""The authors' side: courses, lessons, labs, challenges and quizzes; and, read-only and
narrowed to a class instructor's own learners, their attempts and progress."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts.admin import LearnerWorkAdmin
from lessons import loader
from lessons.challenge_rules import METRICS
from lessons.lab_preset_form import BoundsByPathField, LabForm, preset_fieldsets
from lessons.models import (
    Challenge,
    ChallengeOp,
    Course,
    Lab,
    Lesson,
    LessonProgress,
    Module,
    Quiz,
)


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0
    fields = ["order", "title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    show_change_link = True


class LessonInline(admin.TabularInline):
    model = Lesson
    extra = 0
    fields = ["order", "title", "slug", "status"]
    prepopulated_fields = {"slug": ["title"]}
    show_change_link = True


class LabInline(admin.StackedInline):
    model = Lab
    extra = 0
    fields = ["order", "title", "slug", "instructions", "preset_config", "tunable"]
    prepopulated_fields = {"slug": ["title"]}
    show_change_link = True  # the lab's own page edits the preset field by field


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "order", "is_published"]
    list_editable = ["order", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ModuleInline]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "order"]
    list_filter = ["course"]
    search_fields = ["title"]
    list_select_related = ["course"]
    ordering = ["course__order", "order"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [LessonInline]


class FileUpdateFilter(admin.SimpleListFilter):
    title = "file update"
    parameter_name = "file_update"

    def lookups(self, request, model_admin):
        return [("available", "Update available"), ("none", "None waiting")]

    def queryset(self, request, queryset):
        if self.value() == "available":
            return queryset.filter(pending_update__isnull=False)
        if self.value() == "none":
            return queryset.filter(pending_update__isnull=True)
        return queryset


_DIFF_LINE_STYLES = {
    "+": "background:#e6ffed;color:#14401f",
    "-": "background:#ffeef0;color:#5c0f17",
    "@": "background:#f1f8ff;color:#0b3a63",
}


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = [
        "title", "module", "order", "status", "file_update_badge", "updated_at", "preview_link",
    ]  # fmt: skip
    list_filter = [FileUpdateFilter, "status", "module__course", "module"]
    search_fields = ["title", "summary", "body"]
    list_select_related = ["module__course", "pending_update"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["updated_at", "source_path", "preview_link", "file_update", "quiz_link"]
    fields = [
        "module", "title", "slug", "order", "status", "summary", "body",
        "preview_link", "quiz_link", "updated_at", "source_path",
    ]  # fmt: skip
    inlines = [LabInline]
    actions = ["accept_file_updates", "keep_admin_versions"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return ["file_update", *fields] if _pending(obj) else fields

    def get_urls(self):
        def view(action):
            return self.admin_site.admin_view(require_POST(self._file_update_view(action)))

        return [
            path("<int:object_id>/file-update/accept/", view("accept"),
                 name="lessons_lesson_file_update_accept"),
            path("<int:object_id>/file-update/keep/", view("keep"),
                 name="lessons_lesson_file_update_keep"),
            *super().get_urls(),
        ]  # fmt: skip

    def _file_update_view(self, action: str):
        def handle(request, object_id: int):
            lesson = get_object_or_404(Lesson, pk=object_id)
            if not self.has_change_permission(request, lesson):
                raise PermissionDenied
            self._apply_file_update(request, lesson, action)
            return HttpResponseRedirect(reverse("admin:lessons_lesson_change", args=[lesson.pk]))

        return handle

    def _apply_file_update(self, request, lesson: Lesson, action: str) -> bool:
        try:
            if action == "accept":
                loader.pending_update_accept(lesson=lesson)
                done = f"“{lesson}” now has the file's version."
            else:
                loader.pending_update_keep(lesson=lesson)
                done = f"“{lesson}” keeps its admin version; this file version will not ask again."
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return False
        self.message_user(request, done, messages.SUCCESS)
        return True

    @admin.action(description="Accept the file's version (replaces the admin edit)")
    def accept_file_updates(self, request, queryset):
        self._apply_to_selected(request, queryset, "accept")

    @admin.action(description="Keep the admin version (this file version will not ask again)")
    def keep_admin_versions(self, request, queryset):
        self._apply_to_selected(request, queryset, "keep")

    def _apply_to_selected(self, request, queryset, action: str) -> None:
        waiting = queryset.filter(pending_update__isnull=False)
        if not waiting.exists():
            self.message_user(request, "None of these lessons has a file update.", messages.INFO)
        for lesson in waiting:
            self._apply_file_update(request, lesson, action)

    @admin.display(description="File")
    def file_update_badge(self, obj: Lesson) -> str:
        if not _pending(obj):
            return ""
        return mark_safe(  # a constant
            '<span style="background:#7a4a00;color:#fff;border-radius:4px;padding:1px 6px;'
            'white-space:nowrap">update available</span>'
        )

    @admin.display(description="Update from the lesson file")
    def file_update(self, obj: Lesson) -> str:
        update = _pending(obj)
        if update is None:
            return "—"
        lines = format_html_join(
            "",
            '<span style="display:block;{}">{}</span>',
            ((_DIFF_LINE_STYLES.get(line[:1], ""), line or " ")
             for line in update.diff.splitlines()),
        )  # fmt: skip
        accept = reverse("admin:lessons_lesson_file_update_accept", args=[obj.pk])
        keep = reverse("admin:lessons_lesson_file_update_keep", args=[obj.pk])
        return format_html(
            "<p><code>load_lessons</code> found a newer {} on {}, but this lesson was edited "
            "here, so it did not overwrite the edit. Lines with − are this lesson now, with + "
            "the file.</p>"
            '<pre style="max-height:32em;overflow:auto;white-space:pre-wrap;padding:6px;'
            'border:1px solid #ccc">{}</pre>'
            '<button type="submit" class="button" formaction="{}" formnovalidate>'
            "Accept the file's version</button> "
            '<button type="submit" class="button" formaction="{}" formnovalidate>'
            "Keep this version</button>"
            "<p class=\"help\">Accepting replaces the lesson, its labs and quiz with the file's "
            "(unsaved changes in this form are dropped). Keeping leaves everything as it is; "
            "a newer file asks again.</p>",
            update.source_path,
            update.flagged_at.strftime("%Y-%m-%d %H:%M UTC"),
            lines,
            accept,
            keep,
        )

    @admin.display(description="Quiz")
    def quiz_link(self, obj: Lesson) -> str:
        """Questions and choices are written on the quiz's own page, all of them at once."""
        if obj.pk is None:
            return "Save the lesson to give it a quiz."
        quiz = Quiz.objects.filter(lesson=obj).first()
        if quiz is None:
            url = reverse("admin:lessons_quiz_add") + f"?lesson={obj.pk}"
            return format_html('<a href="{}">Add a quiz</a>', url)
        return format_html(
            '<a href="{}">Edit the quiz: {} question(s) with their choices</a> · '
            '<a href="{}">Preview it</a>',
            reverse("admin:lessons_quiz_change", args=[quiz.pk]), quiz.questions.count(),
            reverse("admin:lessons_quiz_preview", args=[quiz.pk]),
        )

    @admin.display(description="Preview")
    def preview_link(self, obj: Lesson) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("lesson-detail", args=[obj.module.course.slug, obj.slug])
        label = "View on site (draft preview)" if obj.status == "draft" else "View on site"
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, label)


def _pending(lesson: Lesson | None):
    """The lesson's PendingLessonUpdate, or None."""
    if lesson is None or lesson.pk is None:
        return None
    try:
        return lesson.pending_update
    except Lesson.pending_update.RelatedObjectDoesNotExist:
        return None


class ChallengeForm(forms.ModelForm):
    metric = forms.ChoiceField(choices=list(METRICS.items()))
    bounds = BoundsByPathField(
        required=False,
        help_text="The fields the learner may change for this challenge, one a line as in the "
        "lesson files, e.g. <code>model.hidden: {max_layers: 2, max_units: 16}</code>; each "
        "must be tunable in the lab. Blank: the lab's own tunable fields and bounds.",
    )
    also_metric = forms.ChoiceField(choices=[("", "none"), *METRICS.items()], required=False,
                                    label="Also metric",
                                    help_text=Challenge._meta.get_field("also_metric").help_text)
    also_op = forms.ChoiceField(choices=ChallengeOp.choices, required=False, label="Also op")

    def clean_also_op(self) -> str:
        # Only read with an also metric: a form that leaves it out means the default.
        return self.cleaned_data.get("also_op") or ChallengeOp.AT_LEAST

    class Meta:
        model = Challenge
        fields = ["metric", "op", "target", "max_params", "bounds", "also_metric", "also_op",
                  "also_target"]


class ChallengeInline(admin.StackedInline):
    model = Challenge
    form = ChallengeForm
    extra = 0
    max_num = 1
    verbose_name = "challenge (graded from the learner's own runs)"


@admin.register(Lab)
class LabAdmin(admin.ModelAdmin):
    """A lab with its preset as a form generated from the engine's config fields (the JSON
    below it for the advanced), and its challenge."""

    form = LabForm
    list_display = ["title", "lesson", "order", "has_challenge"]
    list_filter = ["lesson__module__course"]
    search_fields = ["title", "lesson__title"]
    list_select_related = ["lesson", "challenge"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ChallengeInline]
    fieldsets = [
        (None, {"fields": ["lesson", "title", "slug", "order", "instructions"]}),
        *preset_fieldsets(),
        ("What the learner may change", {"fields": ["tunable"]}),
        ("Advanced: the preset as JSON", {"fields": ["preset_config"]}),
    ]

    class Media:
        css = {"all": ["css/admin/lab_preset.css"]}
        js = ["js/admin/lab_preset.js"]

    @admin.display(boolean=True, description="Challenge")
    def has_challenge(self, obj: Lab) -> bool:
        return hasattr(obj, "challenge")


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    form = ChallengeForm
    list_display = ["lab", "metric", "op", "target", "max_params"]
    list_filter = ["lab__lesson__module__course"]
    list_select_related = ["lab__lesson"]
    search_fields = ["lab__title", "lab__lesson__title"]
    fields = ["lab", "metric", "op", "target", "max_params", "bounds"]


@admin.register(LessonProgress)
class LessonProgressAdmin(LearnerWorkAdmin):
    learner_field = "user"
    list_display = ["user", "lesson", "completed_at", "best_score", "updated_at"]
    list_filter = ["lesson__module__course", "lesson"]
    search_fields = ["user__username", "lesson__title"]
    list_select_related = ["user", "lesson"]


# Quizzes and predict-then-run questions register from their own modules.
from lessons import prediction_admin, quiz_admin  # noqa: E402, F401
