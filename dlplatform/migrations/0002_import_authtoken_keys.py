"""Carry the keys of rest_framework.authtoken over as hashed ApiTokens, then erase them.

Learners' existing keys keep working (as a token named "legacy token"), and no key is left
in plain text in the old authtoken_token table, which stays, empty, since its app is gone.
"""

import hashlib

from django.db import migrations

OLD_TABLE = "authtoken_token"


def import_keys(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return  # a new installation: nothing to carry over
    ApiToken = apps.get_model("dlplatform", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {OLD_TABLE}")
        rows = cursor.fetchall()
        for key, user_id, created in rows:
            key_hash = hashlib.sha256(key.encode()).hexdigest()
            ApiToken.objects.create(user_id=user_id, name="legacy token", prefix=key[:12],
                                    key_hash=key_hash)
            # `created` is auto_now_add: keep the key's real age with an update.
            ApiToken.objects.filter(key_hash=key_hash).update(created=created)
        cursor.execute(f"DELETE FROM {OLD_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("dlplatform", "0001_api_token")]

    operations = [migrations.RunPython(import_keys, migrations.RunPython.noop)]
