"""Predict-then-run questions in the admin: authored by content authors, each with its range
choices on the same page; learners' predictions read-only, narrowed like the rest of their
work. Apart from lessons.admin so that each can change without the other."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from accounts.admin import LearnerWorkAdmin
from lessons.prediction_models import (
    Prediction,
    PredictionChoice,
    PredictionKind,
    PredictionQuestion,
)
from lessons.prediction_rules import OUTCOMES, ranges_error


class PredictionQuestionForm(forms.ModelForm):
    outcome = forms.ChoiceField(choices=list(OUTCOMES.items()))

    class Meta:
        model = PredictionQuestion
        fields = ["lab", "order", "kind", "prompt", "run_changes", "outcome", "tolerance",
                  "explanation"]


class ChoiceRangesFormSet(forms.BaseInlineFormSet):
    """A range question's choices must settle any run: two or more, none overlapping."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors) or self.instance.kind != PredictionKind.CHOICE:
            return
        ranges = [(form.cleaned_data.get("low"), form.cleaned_data.get("high"))
                  for form in self.forms
                  if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        reason = ranges_error(ranges)
        if reason:
            raise ValidationError(reason[0].upper() + reason[1:] + ".")


class PredictionChoiceInline(admin.TabularInline):
    model = PredictionChoice
    formset = ChoiceRangesFormSet
    fields = ["order", "text", "low", "high"]
    extra = 0
    verbose_name = "choice (a range of the run's number)"


@admin.register(PredictionQuestion)
class PredictionQuestionAdmin(admin.ModelAdmin):
    form = PredictionQuestionForm
    list_display = ["__str__", "lab", "kind", "outcome", "order"]
    list_filter = ["kind", "lab__lesson__module__course"]
    search_fields = ["prompt", "lab__title", "lab__lesson__title"]
    list_select_related = ["lab__lesson"]
    inlines = [PredictionChoiceInline]


@admin.register(Prediction)
class PredictionAdmin(LearnerWorkAdmin):
    learner_field = "user"
    list_display = ["created_at", "user", "question", "choice", "value", "job"]
    list_filter = ["question__lab__lesson__module__course"]
    search_fields = ["user__username", "question__lab__title"]
    list_select_related = ["user", "question__lab", "choice", "job"]
    date_hierarchy = "created_at"
