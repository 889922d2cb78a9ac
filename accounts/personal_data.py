"""What the platform holds about one person: all of it as one JSON document, or all of it gone.

`export_for` (a read) gathers the account and its API tokens (never their keys or hashes),
then each app's part: every app that stores something about a person registers its own
share here from its AppConfig.ready() (`register`), so accounts imports no other app and a
new app's data joins the download and the deletion by registering. Today: runs with their
configs and summaries (jobs), deployed models (deployments), quiz attempts, predictions made
before lab runs and lesson progress (lessons).

`delete_account` (a change) asks every share first (one may refuse: AccountNotDeletable),
then removes the account, which cascades to everything that belongs to it; what the rows
name outside the database (trained-model files) goes once the deletion is committed.
Runs still queued or training are stopped by the worker on its next write, which finds
the job gone (jobs.services.record_events).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken

EXPORT_FORMAT = 1


class AccountNotDeletable(Exception):
    """The account holds something the whole platform depends on."""


@dataclass
class Erasure:
    """What deleting an account takes from one app: counts of what goes (by name, for the
    message the person sees), and what to do once the deletion is committed."""

    counts: dict[str, int] = field(default_factory=dict)
    after_commit: list[Callable[[], None]] = field(default_factory=list)


# export(user) -> the app's sections of the download, by key ("runs": [...], ...).
Exporter = Callable[[User], dict[str, list[dict]]]
# erase(user), inside the deletion's transaction and before it: raise AccountNotDeletable to
# refuse, else say what goes. The rows themselves go by cascade with the user.
Eraser = Callable[[User], Erasure]


@dataclass(frozen=True)
class Share:
    export: Exporter
    erase: Eraser | None = None


_shares: dict[str, Share] = {}


def register(app: str, *, export: Exporter, erase: Eraser | None = None) -> None:
    """Add `app`'s part of a person's data (from its AppConfig.ready(); registering the
    same app again replaces its share)."""
    _shares[app] = Share(export=export, erase=erase)


def registered_apps() -> list[str]:
    return list(_shares)


def iso(moment) -> str | None:
    """A moment as the export writes it: ISO 8601, or None."""
    return moment.isoformat() if moment else None


def export_for(user: User) -> dict:
    """Everything stored about `user`, as plain JSON-able data."""
    tokens = ApiToken.objects.filter(user=user).order_by("created", "id")
    data: dict = {
        "format": EXPORT_FORMAT,
        "exported_at": iso(timezone.now()),
        "account": {
            "username": user.username,
            "email": user.email,
            "date_joined": iso(user.date_joined),
            "last_login": iso(user.last_login),
        },
        "api_tokens": [
            {"name": t.name, "prefix": t.prefix, "created": iso(t.created),
             "last_used_at": iso(t.last_used_at), "revoked_at": iso(t.revoked_at),
             "expires_at": iso(t.expires_at)}
            for t in tokens
        ],
    }
    for app, share in _shares.items():
        sections = share.export(user)
        clash = set(sections) & set(data)
        if clash:
            raise RuntimeError(f"{app}'s personal data reuses the export keys {sorted(clash)}")
        data.update(sections)
    return data


def delete_account(user: User) -> dict[str, int]:
    """Delete `user` and all they own; returns the counts the shares report (runs, models)."""
    with transaction.atomic():
        erasures = [share.erase(user) for share in _shares.values() if share.erase]
        user.delete()  # cascades to every row that belongs to the user, in every app
        for erasure in erasures:
            for work in erasure.after_commit:
                transaction.on_commit(work)
    return {name: count for erasure in erasures for name, count in erasure.counts.items()}
