"""The authors' side: courses, lessons, labs, challenges and quizzes; and, read-only and
narrowed to a class instructor's own learners, their attempts and progress."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from dlplatform.admin import LearnerWorkAdmin
from lessons.challenges import METRICS
from lessons.models import (
    Attempt,
    Challenge,
    Choice,
    Course,
    Lab,
    Lesson,
    LessonProgress,
    Module,
    Question,
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


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = ["order", "kind", "prompt", "explanation", "answer", "tolerance"]
    show_change_link = True


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    fields = ["order", "text", "is_correct"]


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


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "module", "order", "status", "updated_at", "preview_link"]
    list_filter = ["status", "module__course", "module"]
    search_fields = ["title", "summary", "body"]
    list_select_related = ["module__course"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["updated_at", "source_path", "preview_link"]
    fields = [
        "module", "title", "slug", "order", "status", "summary", "body",
        "preview_link", "updated_at", "source_path",
    ]  # fmt: skip
    inlines = [LabInline]

    @admin.display(description="Preview")
    def preview_link(self, obj: Lesson) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("lesson-detail", args=[obj.module.course.slug, obj.slug])
        label = "View on site (draft preview)" if obj.status == "draft" else "View on site"
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, label)


class ChallengeForm(forms.ModelForm):
    metric = forms.ChoiceField(choices=list(METRICS.items()))

    class Meta:
        model = Challenge
        fields = ["metric", "op", "target", "max_params", "bounds"]


class ChallengeInline(admin.StackedInline):
    model = Challenge
    form = ChallengeForm
    extra = 0
    max_num = 1
    verbose_name = "challenge (graded from the learner's own runs)"


@admin.register(Lab)
class LabAdmin(admin.ModelAdmin):
    list_display = ["title", "lesson", "order", "has_challenge"]
    list_filter = ["lesson__module__course"]
    search_fields = ["title", "lesson__title"]
    list_select_related = ["lesson", "challenge"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ChallengeInline]

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


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["title", "lesson", "pass_mark"]
    search_fields = ["title", "lesson__title"]
    list_select_related = ["lesson"]
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
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


@admin.register(LessonProgress)
class LessonProgressAdmin(LearnerWorkAdmin):
    learner_field = "user"
    list_display = ["user", "lesson", "completed_at", "best_score", "updated_at"]
    list_filter = ["lesson__module__course", "lesson"]
    search_fields = ["user__username", "lesson__title"]
    list_select_related = ["user", "lesson"]
