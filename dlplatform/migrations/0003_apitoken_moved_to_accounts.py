"""ApiToken now belongs to the accounts app (accounts 0001 took its state; the table stays):
drop it from this app's state and move its content type, with the permissions on it."""

from django.db import migrations

MOVES = [("dlplatform", "accounts", "apitoken")]


def _move_content_types(apps, schema_editor, moves):
    """Give the moved models' content types their new app label, so the permissions, admin
    log entries and generic relations that point at them stay attached. A fresh database
    has none yet (post_migrate makes them after the last migration): nothing to do."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_types = ContentType.objects.using(schema_editor.connection.alias)
    for old_label, new_label, model in moves:
        old = content_types.filter(app_label=old_label, model=model).first()
        if old is None:
            continue
        # A content type under the new label can only have come from a post_migrate run
        # between a partial migration and this one: it holds nothing the old one does not.
        content_types.filter(app_label=new_label, model=model).delete()
        old.app_label = new_label
        old.save(update_fields=["app_label"])


def forwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, MOVES)


def backwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, [(new, old, model) for old, new, model in MOVES])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("dlplatform", "0002_import_authtoken_keys"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ApiToken")],
        ),
        migrations.RunPython(forwards, backwards),
    ]
