"""Each app registers its own part of a person's data with accounts.personal_data, which
imports no other app (an import-linter contract): every app that stores rows about a user
is registered, and a registered share joins the download and the deletion."""

import pytest
from django.apps import apps
from django.contrib.auth.models import User

from accounts import personal_data
from accounts.personal_data import AccountNotDeletable, Erasure

# Apps with rows about a user that no share exports: deleted with the account by cascade.
NOT_EXPORTED = {
    "classroom": "memberships, classes taught and sweeps (a sweep's runs are exported as runs)",
    "admin": "the admin's log of staff edits",
}


def apps_with_user_rows() -> set[str]:
    return {
        model._meta.app_label
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.related_model is User
        and (field.many_to_one or field.one_to_one or field.many_to_many)
        and field.concrete and model is not User
    } - {"auth"}


def test_every_app_with_rows_about_a_user_registers_its_share():
    registered = set(personal_data.registered_apps()) | {"accounts"}  # accounts' own rows
    missing = apps_with_user_rows() - registered - set(NOT_EXPORTED)
    assert missing == set(), f"register their personal data: {sorted(missing)}"
    assert {"jobs", "deployments", "lessons"} <= registered


@pytest.mark.django_db
def test_a_registered_share_joins_the_download_and_the_deletion(user, monkeypatch):
    erased = []

    def erase(person):
        erased.append(person.pk)
        return Erasure(counts={"notes": 2})

    monkeypatch.setattr(personal_data, "_shares", dict(personal_data._shares))
    personal_data.register("notes", export=lambda person: {"notes": [{"of": person.username}]},
                           erase=erase)
    assert personal_data.export_for(user)["notes"] == [{"of": user.username}]
    user_id = user.pk
    counts = personal_data.delete_account(user)
    assert counts["notes"] == 2 and erased == [user_id]
    assert not User.objects.filter(pk=user_id).exists()


@pytest.mark.django_db
def test_a_share_that_refuses_leaves_everything_in_place(user, monkeypatch):
    def refuse(person):
        raise AccountNotDeletable("it holds something everyone needs")

    monkeypatch.setattr(personal_data, "_shares", dict(personal_data._shares))
    personal_data.register("keeper", export=lambda person: {}, erase=refuse)
    with pytest.raises(AccountNotDeletable):
        personal_data.delete_account(user)
    assert User.objects.filter(pk=user.pk).exists()


@pytest.mark.django_db
def test_two_shares_cannot_claim_the_same_section(user, monkeypatch):
    monkeypatch.setattr(personal_data, "_shares", dict(personal_data._shares))
    personal_data.register("impostor", export=lambda person: {"runs": []})
    with pytest.raises(RuntimeError, match="runs"):
        personal_data.export_for(user)
