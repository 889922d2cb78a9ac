"""The lab's admin page edits its preset through a form generated from the engine's config
fields: every shipped preset comes back unchanged, a change saves normalized, and a bad value
is shown beside its own field."""

import json
import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings

from engine.config import CONFIG_FIELDS
from lessons.lab_preset_form import preset_field_name, tunable_field_name
from lessons.loader import load_content
from lessons.models import Challenge, Lab
from tests.lessons.admin_forms import AUTHOR, form_data, staff_with_roles

pytestmark = pytest.mark.django_db

FORM = "lab_form"


@pytest.fixture
def author(db):
    return staff_with_roles("author", AUTHOR)


def page(client, lab) -> str:
    response = client.get(f"/admin/lessons/lab/{lab.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def post(client, lab, data):
    return client.post(f"/admin/lessons/lab/{lab.pk}/change/", data)


def field_error(html: str, path: str) -> str:
    """The error list rendered in the form row of a config field ("" when none)."""
    name = preset_field_name(path)
    row = re.search(rf'<div class="form-row[^"]*field-{name}[^"]*">(.*?)<div class="help"', html,
                    re.S)
    assert row, f"no form row for {path}"
    errors = re.search(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', row.group(1), re.S)
    return unescape(re.sub(r"<[^>]+>", " ", errors.group(1))).strip() if errors else ""


def test_every_config_field_has_a_labelled_field_with_help_and_bounds(client, author, lab):
    client.force_login(author)
    html = page(client, lab)
    for path, spec in CONFIG_FIELDS.items():
        name = preset_field_name(path)
        assert f'name="{name}"' in html, path
        assert re.search(rf">{re.escape(spec.label)}:?</label>", html), path
        assert spec.help in unescape(html), path
    lr = re.search(r'<input[^>]*name="preset__optim__lr"[^>]*>', html).group(0)
    assert 'max="10"' in lr and 'value="0.1"' in lr
    kinds = re.search(r'<select[^>]*name="preset__model__kind"[^>]*>.*?</select>', html, re.S)
    assert '<option value="cnn">' in kinds.group(0)
    assert '<option value="mlp" selected>' in kinds.group(0)


def test_every_shipped_labs_preset_round_trips_through_the_form_unchanged(client, author):
    report = load_content(Path(settings.BASE_DIR) / "content")
    assert not report.skipped
    client.force_login(author)
    labs = list(Lab.objects.select_related("lesson").order_by("id"))
    assert len(labs) >= 15
    kinds = {lab.preset_config["model"]["kind"] for lab in labs}
    assert {"mlp", "cnn", "rnn", "autoencoder", "gan"} <= kinds
    for lab in labs:
        before = (lab.preset_config, lab.tunable)
        response = post(client, lab, form_data(page(client, lab), FORM))
        assert response.status_code == 302, (lab.lesson.slug, lab.slug, response.content[:3000])
        lab.refresh_from_db()
        assert (lab.preset_config, lab.tunable) == before, (lab.lesson.slug, lab.slug)


def test_a_value_changed_in_the_form_is_saved_normalized(client, author, lab):
    client.force_login(author)
    data = form_data(page(client, lab), FORM, **{
        "preset__optim__lr": "0.05", "preset__model__hidden": "8, 4, 2",
        "preset__optim__name": "adam", "preset__model__dropout": "0.25",
    })
    response = post(client, lab, data)
    assert response.status_code == 302, re.findall(r'errorlist.*', response.content.decode())
    lab.refresh_from_db()
    assert lab.preset_config["optim"]["lr"] == 0.05 and lab.preset_config["optim"]["name"] == "adam"
    assert lab.preset_config["model"]["hidden"] == [8, 4, 2]
    assert lab.preset_config["model"]["dropout"] == 0.25
    assert "channels" not in lab.preset_config["model"]  # a cnn field: not of this kind


def test_changing_the_model_type_uses_that_types_fields(client, author, lab):
    client.force_login(author)
    lab.tunable = {}
    lab.save()
    data = form_data(page(client, lab), FORM, **{
        "preset__model__kind": "cnn", "preset__data__name": "digits",
        "preset__model__channels": "4, 8",
    })
    assert post(client, lab, data).status_code == 302
    lab.refresh_from_db()
    assert lab.preset_config["model"] == {
        "kind": "cnn", "activation": "relu", "channels": [4, 8], "kernel_size": 3,
        "pool": True, "dropout": 0.0, "batch_norm": False, "stride": 1, "residual": False,
    }


@pytest.mark.parametrize(
    ("changes", "path", "message"),
    [
        ({"preset__optim__lr": "-1"}, "optim.lr", "must be greater than 0 and at most 10"),
        ({"preset__optim__lr": "fast"}, "optim.lr", "Enter a number."),
        ({"preset__model__hidden": "16, x"}, "model.hidden", "Separate the items with commas"),
        ({"preset__model__hidden": "16, 999"}, "model.hidden", "model.hidden[1]: must be"),
        ({"preset__optim__batch_size": "half"}, "optim.batch_size",
         'Enter a whole number or "full".'),
        ({"preset__data__name": "series"}, "data.name", 'model.kind "mlp" trains on'),
    ],
)
def test_a_bad_value_is_an_error_beside_its_field(client, author, lab, changes, path, message):
    client.force_login(author)
    response = post(client, lab, form_data(page(client, lab), FORM, **changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in field_error(html, path)
    others = [p for p in CONFIG_FIELDS if p != path and field_error(html, p)]
    assert others == []
    assert "preset_config" not in re.findall(r'errors field-(\w+)', html)
    assert Lab.objects.get(pk=lab.pk).preset_config["optim"]["lr"] == 0.1


def test_the_json_still_edits_the_preset_for_the_advanced(client, author, lab):
    client.force_login(author)
    preset = json.loads(json.dumps(lab.preset_config))
    preset["optim"]["epochs"] = 7
    data = form_data(page(client, lab), FORM, preset_config=json.dumps(preset))
    assert post(client, lab, data).status_code == 302
    lab.refresh_from_db()
    assert lab.preset_config["optim"]["epochs"] == 7


def test_changing_both_the_form_and_the_json_asks_for_one(client, author, lab):
    client.force_login(author)
    preset = json.loads(json.dumps(lab.preset_config))
    preset["optim"]["epochs"] = 7
    data = form_data(page(client, lab), FORM, preset_config=json.dumps(preset),
                     preset__optim__epochs="9")
    response = post(client, lab, data)
    assert response.status_code == 200
    assert "both in the form and as JSON" in response.content.decode()
    lab.refresh_from_db()
    assert lab.preset_config["optim"]["epochs"] == 20


def test_a_new_lab_is_made_from_the_form_alone(client, author, lesson):
    client.force_login(author)
    html = client.get("/admin/lessons/lab/add/").content.decode()
    data = form_data(html, FORM, lesson=str(lesson.pk), title="Tiny", slug="tiny", order="1",
                     preset__model__kind="mlp", preset__data__name="xor",
                     preset__optim__name="sgd", preset__optim__lr="0.5",
                     preset__optim__epochs="5", tunable='{"optim.lr": {"max": 1}}')
    response = client.post("/admin/lessons/lab/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    lab = Lab.objects.get(slug="tiny")
    assert lab.preset_config["data"] == {**lab.preset_config["data"], "name": "xor",
                                         "n_samples": 500}
    assert lab.preset_config["optim"]["lr"] == 0.5


def test_a_new_lab_without_required_fields_names_each(client, author, lesson):
    client.force_login(author)
    html = client.get("/admin/lessons/lab/add/").content.decode()
    data = form_data(html, FORM, lesson=str(lesson.pk), title="Tiny", slug="tiny", order="1")
    response = client.post("/admin/lessons/lab/add/", data)
    assert response.status_code == 200
    html = response.content.decode()
    for path in ("model.kind", "data.name", "optim.name", "optim.lr", "optim.epochs"):
        assert "required" in field_error(html, path), path
    assert not Lab.objects.filter(slug="tiny").exists()


def test_a_bad_challenge_on_the_lab_page_is_an_error_beside_its_field(client, author, lab):
    client.force_login(author)
    data = form_data(page(client, lab), FORM, **{
        "challenge-TOTAL_FORMS": "1", "challenge-0-metric": "val_accuracy",
        "challenge-0-op": ">=", "challenge-0-target": "0.9",
        "challenge-0-bounds": '{"optim.epochs": {"max": 50}}',
    })
    response = post(client, lab, data)
    assert response.status_code == 200
    html = response.content.decode()
    bounds_row = re.search(r'<div class="form-row[^"]*field-bounds[^"]*">.*?</ul>', html, re.S)
    assert "optim.epochs: not tunable in the lab" in bounds_row.group(0)
    assert not Challenge.objects.exists()
    data["challenge-0-bounds"] = '{"optim.lr": {"max": 0.5}}'
    assert post(client, lab, data).status_code == 302
    assert Challenge.objects.get(lab=lab).bounds == {"optim.lr": {"max": 0.5}}


def bounds_error(html: str, path: str) -> str:
    """The error list rendered beside a config field's learner-may-change box."""
    name = tunable_field_name(path)
    errors = re.search(rf'<ul class="errorlist" id="id_{name}_error">(.*?)</ul>', html, re.S)
    return unescape(re.sub(r"<[^>]+>", " ", errors.group(1))).strip() if errors else ""


def test_the_learner_may_change_boxes_show_and_save_the_bounds(client, author, lab):
    client.force_login(author)
    html = page(client, lab)
    box = re.search(r'<input[^>]*name="tunable__optim__batch_size"[^>]*>', html).group(0)
    assert 'value="{choices: [1, 32, full]}"' in box
    assert 'value="{min: 0.0001, max: 1}"' in html  # read as written, whatever the storage
    data = form_data(html, FORM, **{
        "tunable__optim__lr": "{min: 0.01, max: 0.5}", "tunable__optim__batch_size": "",
        "tunable__data__seed": "{}",
    })
    assert post(client, lab, data).status_code == 302
    lab.refresh_from_db()
    assert lab.tunable == {"optim.lr": {"min": 0.01, "max": 0.5}, "data.seed": {},
                           "model.hidden": {"max_layers": 3, "max_units": 32}}


@pytest.mark.parametrize(
    ("path", "bounds", "message"),
    [
        ("optim.lr", "{max: 99}", "99 is not a valid value: must be greater than 0"),
        ("optim.lr", "{min: 0.5", "Write bounds such as {min: 0.001, max: 1}"),
        ("optim.epochs", "{min: 30}", "the preset value is outside these bounds"),
        ("model.channels", "{max_layers: 2}", "not a field of the config"),
    ],
)
def test_bad_bounds_are_an_error_beside_their_box(client, author, lab, path, bounds, message):
    client.force_login(author)
    data = form_data(page(client, lab), FORM, **{tunable_field_name(path): bounds})
    response = post(client, lab, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in bounds_error(html, path)
    assert [p for p in CONFIG_FIELDS if p != path and bounds_error(html, p)] == []
    assert 'id="id_tunable_error"' not in html  # not repeated in a lump under the JSON
    assert "optim.epochs" not in Lab.objects.get(pk=lab.pk).tunable


def test_changing_both_the_boxes_and_the_tunable_json_asks_for_one(client, author, lab):
    client.force_login(author)
    data = form_data(page(client, lab), FORM, tunable__data__seed="{}",
                     tunable='{"optim.lr": {"max": 1}}')
    response = post(client, lab, data)
    assert response.status_code == 200
    assert "both in the form and as JSON" in response.content.decode()


def test_bounds_errors_are_not_repeated_when_the_preset_changes_too(client, author, lab):
    """A wider preset with its bounds widened in the same save, and one bound wrong: the old
    bounds no longer fit the new preset, but only the wrong box says so."""
    client.force_login(author)
    data = form_data(page(client, lab), FORM, **{
        "preset__model__hidden": "64", "tunable__model__hidden": "{max_layers: 3, max_units: 64}",
        "tunable__optim__lr": "{max: 99}",
    })
    html = post(client, lab, data).content.decode()
    assert "99 is not a valid value" in bounds_error(html, "optim.lr")
    assert bounds_error(html, "model.hidden") == ""
    assert 'id="id_tunable_error"' not in html


def challenge_bounds_error(html: str) -> str:
    errors = re.search(r'<ul class="errorlist" id="id_challenge-0-bounds_error">(.*?)</ul>', html,
                       re.S)
    return unescape(re.sub(r"<[^>]+>", " ", errors.group(1))).strip() if errors else ""


def test_challenge_bounds_are_written_as_in_the_lesson_files(client, author, lab):
    client.force_login(author)
    data = form_data(page(client, lab), FORM, **{
        "challenge-TOTAL_FORMS": "1", "challenge-0-metric": "val_accuracy",
        "challenge-0-op": ">=", "challenge-0-target": "0.9", "challenge-0-max_params": "60",
        "challenge-0-bounds": "model.hidden: {max_layers: 2, max_units: 16}\noptim.lr: {max: 0.5}",
    })
    response = post(client, lab, data)
    assert response.status_code == 302, re.findall(r'errorlist.*', response.content.decode())
    challenge = Challenge.objects.get(lab=lab)
    assert challenge.bounds == {"model.hidden": {"max_layers": 2, "max_units": 16},
                                "optim.lr": {"max": 0.5}}
    html = page(client, lab)
    shown = re.search(r'<textarea name="challenge-0-bounds"[^>]*>(.*?)</textarea>', html, re.S)
    assert sorted(unescape(shown.group(1)).strip().splitlines()) == [
        "model.hidden: {max_layers: 2, max_units: 16}", "optim.lr: {max: 0.5}"]
    # Saved again as shown, it is unchanged.
    assert post(client, lab, form_data(html, FORM)).status_code == 302
    assert Challenge.objects.get(lab=lab).bounds == challenge.bounds


@pytest.mark.parametrize(
    ("bounds", "message"),
    [
        ("optim.lr: {max: 0.5", "Write one config path a line"),
        ("- optim.lr", "must map config paths to bounds"),
        ("optim.lr: {min: 2}", "optim.lr: the preset value is outside these bounds"),
    ],
)
def test_bad_challenge_bounds_are_an_error_beside_them(client, author, lab, bounds, message):
    client.force_login(author)
    data = form_data(page(client, lab), FORM, **{
        "challenge-TOTAL_FORMS": "1", "challenge-0-metric": "val_accuracy",
        "challenge-0-op": ">=", "challenge-0-target": "0.9", "challenge-0-bounds": bounds,
    })
    response = post(client, lab, data)
    assert response.status_code == 200
    assert message in challenge_bounds_error(response.content.decode())
    assert not Challenge.objects.exists()
