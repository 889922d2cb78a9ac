"""Roles: content authors, class instructors and site administrators.

- **Content authors** (group) write courses, lessons, labs, challenges, quizzes and
  predict-then-run questions in the admin, and set the job limits. They see nothing of what
  learners did. They may sweep a lab (run its preset over a grid of values and seeds) to
  check a lesson's numbers.
- **Class instructors** (group) create classes and read, never edit, the work of the
  learners in the classes they teach: runs, events, quiz attempts, predictions and
  progress. Pages and the admin narrow every such read through `learners_readable_by`.
  They may sweep labs too.
- **Site administrators** are superusers: everything.

Both groups' permissions are kept current after every migrate. A user made staff with
neither role gets both (staff meant "instructor" before roles existed, and the demo
instructor does both jobs); a site administrator can then take one away, and it stays away.

Apps that know which learners a user may read (the classroom) register a scope with
`register_learner_scope`, so the apps that hold learners' work (jobs, attempts) can narrow
their reads without importing the classroom: dependencies keep pointing one way.
"""

from collections.abc import Callable

from django.contrib.auth.models import Group, Permission, User
from django.db.models import Q, QuerySet
from django.db.models.signals import post_migrate, post_save
from django.dispatch import receiver

CONTENT_AUTHORS_GROUP = "Content authors"
CLASS_INSTRUCTORS_GROUP = "Class instructors"
ROLE_GROUPS = (CONTENT_AUTHORS_GROUP, CLASS_INSTRUCTORS_GROUP)

# app label → models of that app whose every permission the role gets.
AUTHORED_MODELS = {
    "lessons": ("course", "module", "lesson", "lab", "challenge", "quiz", "question", "choice",
                "predictionquestion", "predictionchoice",
                # Read-only in the admin whatever the permission: the questions as learners
                # answered them, and a lesson file's update waiting for review.
                "questionversion", "pendinglessonupdate"),
    "jobs": ("joblimits",),
    # Their own sweeps of a lab's preset (classroom.sweep_selectors keeps each to its owner).
    "classroom": ("sweep",),
}
# Learners' work, read-only (the admin narrows it to the instructor's classes).
READABLE_WORK = {
    "lessons": ("attempt", "lessonprogress", "prediction"),
    "jobs": ("trainingjob", "jobevent"),
}
MANAGED_MODELS = {"classroom": ("cohort", "membership", "sweep")}


def _permissions(models: dict[str, tuple[str, ...]], *, view_only: bool = False):
    query = Q(pk__in=[])
    for app_label, names in models.items():
        query |= Q(content_type__app_label=app_label, content_type__model__in=names)
    permissions = Permission.objects.filter(query)
    return permissions.filter(codename__startswith="view_") if view_only else permissions


def ensure_role_groups() -> dict[str, Group]:
    authors, _ = Group.objects.get_or_create(name=CONTENT_AUTHORS_GROUP)
    authors.permissions.set(_permissions(AUTHORED_MODELS))
    instructors, _ = Group.objects.get_or_create(name=CLASS_INSTRUCTORS_GROUP)
    instructors.permissions.set(
        _permissions(MANAGED_MODELS) | _permissions(READABLE_WORK, view_only=True)
    )
    return {CONTENT_AUTHORS_GROUP: authors, CLASS_INSTRUCTORS_GROUP: instructors}


def is_class_instructor(user) -> bool:
    return bool(
        user and user.is_authenticated
        and (user.is_superuser or user.has_perm("classroom.add_cohort"))
    )


@receiver(post_migrate)
def _refresh_groups(sender, **kwargs) -> None:
    if sender.name == "classroom":  # the last app migrated: all models exist
        # Their permissions may not yet: auth creates them in its own post_migrate receiver,
        # which ran after this one on a fresh database (the groups then lacked every
        # classroom permission). Creating them here first is idempotent.
        from django.apps import apps
        from django.contrib.auth.management import create_permissions

        for label in {*AUTHORED_MODELS, *READABLE_WORK, *MANAGED_MODELS}:
            create_permissions(apps.get_app_config(label), verbosity=0,
                               using=kwargs.get("using", "default"))
        ensure_role_groups()


@receiver(post_save, sender=User)
def _staff_get_roles(sender, instance: User, **kwargs) -> None:
    if instance.is_staff and not instance.groups.filter(name__in=ROLE_GROUPS).exists():
        instance.groups.add(*ensure_role_groups().values())


# --- whose work a user may read ------------------------------------------------------------

LearnerScope = Callable[[User], QuerySet]
_learner_scopes: list[LearnerScope] = []


def register_learner_scope(scope: LearnerScope) -> None:
    """`scope(user)` → a queryset of the ids of learners whose work `user` may read."""
    if scope not in _learner_scopes:
        _learner_scopes.append(scope)


def learners_readable_by(user, *, via: str) -> Q:
    """A filter on `via` (a user foreign key, e.g. "owner") matching the learners whose work
    `user` may read besides their own: never matches for an anonymous user."""
    query = Q(pk__in=[])
    if not (user and user.is_authenticated):
        return query
    for scope in _learner_scopes:
        query |= Q(**{f"{via}__in": scope(user)})
    return query
