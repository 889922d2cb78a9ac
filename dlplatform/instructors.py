"""Staff users are instructors: they get every permission on the teaching content.

The "Instructors" group holds those permissions (kept current after every migrate), and a
user who is made staff joins it, so an instructor needs no superuser rights.
"""

from django.contrib.auth.models import Group, Permission, User
from django.db.models.signals import post_migrate, post_save
from django.dispatch import receiver

INSTRUCTORS_GROUP = "Instructors"
# Everything an instructor authors, the job limits, and read access to what learners did.
EDITABLE_APPS = ("lessons",)
VIEWABLE_MODELS = (("training_worker", "trainingjob"), ("training_worker", "jobevent"))


def ensure_instructors_group() -> Group:
    group, _ = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)
    permissions = Permission.objects.filter(content_type__app_label__in=EDITABLE_APPS)
    permissions = permissions | Permission.objects.filter(
        content_type__app_label="training_worker", content_type__model="joblimits"
    )
    for app_label, model in VIEWABLE_MODELS:
        permissions = permissions | Permission.objects.filter(
            content_type__app_label=app_label, content_type__model=model,
            codename__startswith="view_",
        )
    group.permissions.set(permissions)
    return group


@receiver(post_migrate)
def _refresh_group(sender, **kwargs) -> None:
    if sender.name == "training_worker":  # the last app migrated: all permissions exist
        ensure_instructors_group()


@receiver(post_save, sender=User)
def _staff_join_instructors(sender, instance: User, **kwargs) -> None:
    if instance.is_staff and not instance.groups.filter(name=INSTRUCTORS_GROUP).exists():
        instance.groups.add(ensure_instructors_group())
