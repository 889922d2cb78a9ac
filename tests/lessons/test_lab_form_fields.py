"""The lab form draws each tunable field from the engine's declaration of it: a human label,
one line of help and its type (a list field as a list, a yes/no field as a checkbox)."""

import json
import re

import pytest

from engine.config import CONFIG_FIELDS
from lessons.labs import form_fields


def test_each_tunable_field_gets_its_label_help_and_type():
    fields = form_fields({"model.channels": {"max_layers": 3}, "model.pool": {},
                          "optim.batch_size": {}})
    channels = fields["model.channels"]
    assert channels["label"] == CONFIG_FIELDS["model.channels"].label == "Convolution channels"
    assert channels["help"] == CONFIG_FIELDS["model.channels"].help
    assert channels["type"] == "integer_list"
    assert (channels["min_items"], channels["max_items"], channels["maximum"]) == (1, 8, 32)
    assert fields["model.pool"]["type"] == "boolean"
    assert fields["optim.batch_size"]["also_accepts"] == "full"


def test_a_field_the_engine_no_longer_has_is_shown_by_its_path():
    assert form_fields({"model.gone": {}}) == {
        "model.gone": {"label": "model.gone", "help": "", "type": "unknown"}}


@pytest.mark.django_db
def test_the_lesson_page_carries_the_fields_for_the_form(client, lab, learner):
    client.force_login(learner)
    html = client.get(lab.lesson.get_absolute_url()).content.decode()
    found = re.search(r'<div class="lab-fields" hidden><script[^>]*>(.*?)</script>', html, re.S)
    assert found, "the lab has no field descriptions"
    fields = json.loads(found.group(1))
    assert set(fields) == set(lab.tunable)
    assert fields["optim.lr"]["label"] == "Learning rate"
    assert fields["model.hidden"]["type"] == "integer_list"


def test_every_field_has_a_label_and_one_line_of_help():
    for path, spec in CONFIG_FIELDS.items():
        assert spec.label and spec.label != path, path
        assert spec.help and "\n" not in spec.help and len(spec.help) <= 110, path
