"""The lab's admin form: its preset as one form field per engine config field.

Each field of the engine's CONFIG_FIELDS becomes a form field with the engine's label, help
and bounds (drawn from the same FieldSpec the learner's lab form uses), grouped by section.
The fields only parse text into JSON values; the engine's `parse_config` then validates the
whole preset, and each of its errors is shown beside the field it names. The raw JSON stays
on the page for the advanced: an author edits one or the other, and the form uses the one
that changed. Beside each field, a "learner may change" box holds that field's bounds in the
lab's tunable format (written as in the content files, e.g. `{min: 0.001, max: 1}`), checked
by `validate_tunable` with its errors beside the box; the tunable JSON stays too.
"""

from typing import TYPE_CHECKING, TypedDict

import yaml
from django import forms
from django.core.exceptions import ValidationError

from engine.catalog import MODEL_KINDS
from engine.config import CONFIG_FIELDS, SECTIONS, FieldSpec
from lessons.labs import normalize_preset, validate_tunable
from lessons.models import Lab

if TYPE_CHECKING:
    # The admin's fieldset options, a TypedDict that exists only in django-stubs.
    from django.contrib.admin.options import _FieldOpts

SECTION_TITLES = {
    "model": "Model",
    "data": "Data",
    "optim": "Training",
    "eval": "Evaluation",
    "transfer": "Transfer learning",
}
_EMPTY = ("", None)


def preset_field_name(path: str) -> str:
    """The form field of a config path: "optim.lr" → "preset__optim__lr"."""
    return "preset__" + path.replace(".", "__")


def tunable_field_name(path: str) -> str:
    """The form field of a config path's bounds: "optim.lr" → "tunable__optim__lr"."""
    return "tunable__" + path.replace(".", "__")


TUNABLE_HELP = (
    "<p>Each setting's <em>Learner may change</em> box says what a learner may set on the "
    "lesson page, written as in the lesson files: blank keeps the preset's value; "
    "<code>{}</code> allows any value the engine accepts; <code>{min: 0.001, max: 1}</code> a "
    "range; <code>{choices: [1, 32, full]}</code> a list; and for lists of layers "
    "<code>{min_layers: 1, max_layers: 3, max_units: 32}</code>.</p>"
)


class ListField(forms.CharField):
    """A list typed as comma-separated items ("16, 16"); `item` turns each into its value."""

    def __init__(self, *, item, example: str, **kwargs):
        self.item, self.example = item, example
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        text = super().to_python(value)
        try:
            return [self.item(part.strip()) for part in text.split(",") if part.strip()]
        except ValueError:
            raise ValidationError(f"Separate the items with commas, e.g. {self.example}.") from None


class WholeNumberOrWordField(forms.CharField):
    """A whole number, or the one word the engine accepts instead ("full", "all")."""

    def __init__(self, *, word: str, **kwargs):
        self.word = word
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return "" if value is None else str(value)

    def to_python(self, value):
        text = super().to_python(value).strip()
        if text in _EMPTY or text == self.word:
            return text or None
        try:
            return int(text)
        except ValueError:
            raise ValidationError(f'Enter a whole number or "{self.word}".') from None


# Bounds are shown in this order ("{min: 0.001, max: 1}"), not as the database returns them.
_BOUND_ORDER = ("min", "max", "choices", "min_layers", "max_layers", "max_units")


def _ordered(bounds: dict) -> dict:
    rank = {key: i for i, key in enumerate(_BOUND_ORDER)}
    return dict(sorted(bounds.items(), key=lambda kv: rank.get(kv[0], len(rank))))


class BoundsField(forms.CharField):
    """A tunable field's bounds as a YAML mapping ("{min: 0.001, max: 1}"); blank: fixed."""

    def prepare_value(self, value):
        if isinstance(value, dict):
            return yaml.safe_dump(_ordered(value), default_flow_style=True, sort_keys=False,
                                  width=1000).strip()  # fmt: skip
        return value

    def to_python(self, value):
        if isinstance(value, dict):
            return value
        text = super().to_python(value).strip()
        if not text:
            return None
        try:
            bounds = yaml.safe_load(text)
        except yaml.YAMLError:
            bounds = None
        if not isinstance(bounds, dict):
            raise ValidationError("Write bounds such as {min: 0.001, max: 1}, or {} for any value.")
        return bounds


class BoundsByPathField(forms.CharField):
    """Config path → bounds (a challenge's), one path a line as in the lesson files:
    `optim.lr: {min: 0.001, max: 1}`. JSON, a subset of YAML, reads too. What is not a
    mapping is passed on as it is, for the model's check to name."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 70})

    def prepare_value(self, value):
        if isinstance(value, dict):
            value = {path: _ordered(b) if isinstance(b, dict) else b for path, b in value.items()}
            return yaml.safe_dump(value, default_flow_style=None, sort_keys=False,
                                  width=1000).strip() if value else ""  # fmt: skip
        return value

    def to_python(self, value):
        if not isinstance(value, str):
            return value
        try:
            parsed = yaml.safe_load(value)
        except yaml.YAMLError:
            raise ValidationError(
                "Write one config path a line, e.g. optim.lr: {min: 0.001, max: 1}."
            ) from None
        return {} if parsed is None else parsed


def _choice_value(choices: tuple):
    return int if all(isinstance(c, int) for c in choices) else str


class _CommonFieldArgs(TypedDict):
    """The arguments every preset field takes, whatever its type."""

    label: str
    help_text: str
    required: bool


def config_form_field(path: str, spec: FieldSpec) -> forms.Field:
    """The form field of one config field, labelled and bounded as the engine declares it.
    Bounds go to the browser as hints (min, max); the engine is the one that enforces them."""
    help_text = spec.help
    if spec.kinds:
        help_text += f" (Model types: {', '.join(spec.kinds)}.)"
    common = _CommonFieldArgs(label=spec.label, help_text=help_text, required=False)
    kinds = {"data-kinds": " ".join(spec.kinds)} if spec.kinds else {}
    bounds = {k: v for k, v in (("min", spec.minimum), ("max", spec.maximum)) if v is not None}
    if spec.type == "choice":
        blank = [("", "---------")] if spec.required else []
        return forms.TypedChoiceField(
            choices=blank + [(c, str(c)) for c in spec.choices],
            coerce=_choice_value(spec.choices), empty_value=None,
            widget=forms.Select(attrs=kinds), **common,
        )
    if spec.type == "boolean":
        return forms.BooleanField(widget=forms.CheckboxInput(attrs=kinds), **common)
    if spec.type == "integer_list":
        return ListField(item=int, example="16, 16", widget=forms.TextInput(attrs=kinds), **common)
    if spec.type == "choice_list":
        example = ", ".join(spec.choices[:2])
        return ListField(item=str, example=example, widget=forms.TextInput(attrs=kinds), **common)
    if isinstance(spec.also_accepts, str):
        return WholeNumberOrWordField(
            word=spec.also_accepts, widget=forms.TextInput(attrs=kinds), **common
        )
    if spec.type == "integer":
        widget = forms.NumberInput(attrs={**bounds, **kinds, "step": 1})
        return forms.IntegerField(widget=widget, **common)
    widget = forms.NumberInput(attrs={**bounds, **kinds, "step": "any"})
    return forms.FloatField(widget=widget, **common)


def _initial_value(path: str, spec: FieldSpec, preset: dict, kind: str | None) -> object:
    section, name = path.split(".")
    value = (preset.get(section) or {}).get(name)
    if value is not None:
        return value
    if spec.required:
        return None
    # A model field of another kind: that kind's default, ready if the author switches.
    own_kind = kind if kind is not None and spec.has_kind(kind) else (spec.kinds or (kind,))[0]
    default = spec.default_for(own_kind)
    return list(default) if isinstance(default, tuple) else default


def bounds_form_field(spec: FieldSpec) -> BoundsField:
    kinds = {"data-kinds": " ".join(spec.kinds)} if spec.kinds else {}
    widget = forms.TextInput(attrs={"placeholder": "fixed", "size": 30, **kinds})
    return BoundsField(label="Learner may change", required=False, widget=widget)


def preset_fieldsets() -> list[tuple[str, "_FieldOpts"]]:
    """One admin fieldset per config section: each config field on a line with its bounds."""
    return [_section_fieldset(section) for section in SECTIONS]


def _section_fieldset(section: str) -> tuple[str, "_FieldOpts"]:
    options: _FieldOpts = {
        "fields": [(preset_field_name(path), tunable_field_name(path))
                   for path in CONFIG_FIELDS if path.startswith(f"{section}.")],
    }
    if section == "model":
        options["description"] = TUNABLE_HELP
    return f"Preset: {SECTION_TITLES[section]}", options


class PresetFields(forms.Form):
    """A field per engine config field and a bounds box beside each, declared on a class (not
    added in __init__), so the admin's fieldsets may name them."""


# Their names come from CONFIG_FIELDS, so they join the declared fields once the class exists
# (Django's form metaclass reads declared_fields when LabForm subclasses it, below).
PresetFields.declared_fields.update({
    **{preset_field_name(p): config_form_field(p, spec) for p, spec in CONFIG_FIELDS.items()},
    **{tunable_field_name(p): bounds_form_field(spec) for p, spec in CONFIG_FIELDS.items()},
})


class LabForm(PresetFields, forms.ModelForm):
    """A lab with its preset edited field by field (or, for the advanced, as JSON)."""

    class Meta:
        model = Lab
        fields = ["lesson", "title", "slug", "order", "instructions", "preset_config", "tunable"]
        help_texts = {
            "preset_config": "The same preset as the form above, as JSON. Change either the "
            "form or this, not both; it is saved normalized (every default filled in).",
            "tunable": "The learner-may-change boxes above, as JSON (dotted config path → "
            'bounds, e.g. {"optim.lr": {"min": 0.0001, "max": 1}}). Change either, not both.',
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset_config"].required = False
        stored = self.instance.preset_config if self.instance.pk else None
        normalized, problems = normalize_preset(stored) if stored else ({}, {})
        self.stored_preset = stored if problems else normalized
        kind = (self.stored_preset.get("model") or {}).get("kind")
        tunable = self.instance.tunable if isinstance(self.instance.tunable, dict) else {}
        for path, spec in CONFIG_FIELDS.items():
            initial = _initial_value(path, spec, self.stored_preset, kind)
            self.initial.setdefault(preset_field_name(path), initial)
            self.initial.setdefault(tunable_field_name(path), tunable.get(path))
        self._errors_beside_fields: set[str] = set()  # model fields whose errors are placed

    def _which_edit(self, prefix: str, json_field: str, what: str) -> str | None:
        """"form" or "json": which of the two editors of the preset (or of the tunable
        bounds) to take; None when neither (both changed, or a form field has an error)."""
        if not any(self.add_prefix(f"{prefix}{p.replace('.', '__')}") in self.data
                   for p in CONFIG_FIELDS):  # fmt: skip
            return "json"  # posted without the form's fields (a script): the JSON alone
        form_changed = any(name.startswith(prefix) for name in self.changed_data)
        if json_field not in self.changed_data:
            return None if any(n.startswith(prefix) for n in self.errors) else "form"
        if form_changed:
            self.add_error(json_field, f"You changed {what} both in the form and as JSON: keep "
                           "one of the two changes.")
            return None
        return "json"

    def clean(self):
        cleaned = super().clean()
        if self._which_edit("preset__", "preset_config", "the preset") == "form":
            self._use_form_preset(cleaned)
        if self._which_edit("tunable__", "tunable", "what the learner may change") == "form":
            self._use_form_tunable(cleaned)
        return cleaned

    def _use_form_tunable(self, cleaned: dict) -> None:
        tunable = {path: cleaned[tunable_field_name(path)] for path in CONFIG_FIELDS
                   if cleaned.get(tunable_field_name(path)) is not None}  # fmt: skip
        preset, problems = normalize_preset(cleaned.get("preset_config"))
        if problems:
            cleaned["tunable"] = tunable  # checked once the preset is right
            return
        errors = validate_tunable(tunable, preset)
        for path, reason in errors.items():
            self.add_error(tunable_field_name(path), reason)
        if errors:
            self._errors_beside_fields.add("tunable")
            cleaned.pop("tunable", None)
        else:
            cleaned["tunable"] = tunable

    def _use_form_preset(self, cleaned: dict) -> None:
        preset = self._preset_from_fields(cleaned)
        normalized, problems = normalize_preset(preset)
        if not problems:
            cleaned["preset_config"] = normalized
            return
        for path, reason in problems.items():
            field = preset_field_name(path.split("[")[0])  # "model.hidden[2]": the list
            if field in self.fields:
                self.add_error(field, f"{path}: {reason}" if "[" in path else reason)
            else:
                self.add_error(None, f"{path}: {reason}")
        self._errors_beside_fields.add("preset_config")
        cleaned.pop("preset_config", None)

    def _preset_from_fields(self, cleaned: dict) -> dict:
        """The preset the form's fields describe: model fields of the chosen kind only, and a
        blank field left to its default (an unused transfer section normalizes away)."""
        kind = cleaned.get(preset_field_name("model.kind"))
        preset: dict[str, dict] = {}
        for path, spec in CONFIG_FIELDS.items():
            section, name = path.split(".")
            if section == "model" and kind in MODEL_KINDS and not spec.has_kind(kind):
                continue
            value = cleaned.get(preset_field_name(path))
            if value is None:
                continue
            preset.setdefault(section, {})[name] = value
        return preset

    def _update_errors(self, errors):
        # The model checks the preset and bounds again: with their problems already beside
        # their fields, the same ones are not repeated in a lump under the JSON.
        if hasattr(errors, "error_dict"):
            for field in self._errors_beside_fields:
                errors.error_dict.pop(field, None)
            if not errors.error_dict:
                return
        super()._update_errors(errors)
