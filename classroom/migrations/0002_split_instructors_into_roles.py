"""The one "Instructors" group becomes two roles: content authors and class instructors.

Everyone who was an instructor keeps authoring content and also becomes a class instructor
(the group's permissions are set by dlplatform.instructors after every migrate).
"""

from django.db import migrations

OLD = "Instructors"
NEW = ("Content authors", "Class instructors")


def split(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    old = Group.objects.filter(name=OLD).first()
    new = [Group.objects.get_or_create(name=name)[0] for name in NEW]
    if old is None:
        return
    for group in new:
        group.user_set.add(*old.user_set.all())
    old.delete()


def merge(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    old, _ = Group.objects.get_or_create(name=OLD)
    authors = Group.objects.filter(name=NEW[0]).first()
    if authors is not None:
        old.user_set.add(*authors.user_set.all())
    Group.objects.filter(name__in=NEW).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("classroom", "0001_initial"),
    ]

    operations = [migrations.RunPython(split, merge)]
