"""The course content that every learner's lesson page shares, cached between requests.

A lesson page needs the lesson, its labs, its quiz with questions and choices, and its
neighbours in the outline: the same for every learner who may see it, and ~half of what a
page costs to serve. Each entry carries the content version it was built under, and only
an entry of the current version is served. The version is replaced when course content
changes: by the post_save/post_delete signals of courses, modules, lessons, labs,
challenges, quizzes, questions and choices (the admin, the lessons loader, cascades), after a
migration, and by the code that writes without signals (`lessons_rerender`). An entry
also lives at most TIMEOUT_S, which bounds how long a write that replaces nothing (raw
SQL, a `QuerySet.update` in a shell) or a failed replace can show old content. What is
the learner's own (progress, attempts, runs) is never cached. A cache that fails is
skipped: the page is then built from the database, as it would be without a cache.
"""

import logging
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_migrate, post_save

from lessons.models import (
    Challenge,
    Choice,
    Course,
    Lab,
    Lesson,
    Module,
    PredictionChoice,
    PredictionQuestion,
    Question,
    Quiz,
)

log = logging.getLogger(__name__)

VERSION_KEY = "lessons:content-version"
TIMEOUT_S = 300

T = TypeVar("T")


def content_version() -> str:
    """The current version; a fresh one when none is stored (first use, or evicted)."""
    version = cache.get(VERSION_KEY)  # a read per page view; the write below is rare
    if version is None:
        fresh = uuid.uuid4().hex
        if cache.add(VERSION_KEY, fresh, timeout=None):
            return fresh
        version = cache.get(VERSION_KEY) or fresh  # evicted in between: a version nobody used
    return version


def _replace_version() -> None:
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:  # noqa: BLE001 - a cache outage must not fail an instructor's save
        log.warning("could not replace the lesson content version", exc_info=True)


def content_changed() -> None:
    """Forget every cached page part. Done now, and again once the change is committed: a
    page built in between, from the rows before the commit, must not outlive it. The
    second is registered once per transaction, however many rows it writes."""
    _replace_version()
    if connection.in_atomic_block and not any(
        entry[1] is _replace_version for entry in connection.run_on_commit
    ):
        transaction.on_commit(_replace_version)


def cached(key: str, build: Callable[[], T]) -> T:
    """`build()`, from the cache when this content version already has it. None is not
    cached (a page that does not exist costs one query, and must not fill the cache).

    One round trip: the version and the entry are read together. The entry carries the
    version it was built under (an entry from an older version is built again and
    replaced), where a key per version would need the version read first: two round trips,
    a sixth of a learner's page."""
    entry_key = f"lessons:entry:{key}"
    try:
        found = cache.get_many([VERSION_KEY, entry_key])
        version = found.get(VERSION_KEY) or content_version()
    except Exception:  # noqa: BLE001 - serve from the database when the cache is down
        log.warning("lesson content cache unavailable", exc_info=True)
        return build()
    built_under, value = found.get(entry_key) or (None, None)
    if built_under == version and value is not None:
        return value
    value = build()
    if value is not None:
        try:
            cache.set(entry_key, (version, value), timeout=TIMEOUT_S)
        except Exception:  # noqa: BLE001
            log.warning("could not cache lesson content", exc_info=True)
    return value


def _on_content_saved_or_deleted(sender, **kwargs) -> None:
    content_changed()


def _on_migrated(sender, **kwargs) -> None:
    """Data migrations save through historical models, which send no signal we receive."""
    _replace_version()


def connect_signals() -> None:
    for model in (Course, Module, Lesson, Lab, Challenge, Quiz, Question, Choice,
                  PredictionQuestion, PredictionChoice):
        uid = f"lessons-content-cache-{model.__name__}"
        post_save.connect(_on_content_saved_or_deleted, sender=model, dispatch_uid=uid)
        post_delete.connect(_on_content_saved_or_deleted, sender=model, dispatch_uid=uid)
    post_migrate.connect(_on_migrated, dispatch_uid="lessons-content-cache-migrate")
