"""The accounts app takes over ApiToken from the `dlplatform` app, in Django's state only:
its table keeps its name (`db_table`), so every token still authenticates. dlplatform 0003
drops the old state and gives the content type its new label."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("dlplatform", "0002_import_authtoken_keys"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ApiToken',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(help_text="The learner's label, e.g. 'laptop'.", max_length=60)),
                        ('prefix', models.CharField(max_length=16)),
                        ('key_hash', models.CharField(max_length=64, unique=True)),
                        ('created', models.DateTimeField(auto_now_add=True)),
                        ('last_used_at', models.DateTimeField(blank=True, null=True)),
                        ('revoked_at', models.DateTimeField(blank=True, help_text='Empty while active.', null=True)),
                        ('expires_at', models.DateTimeField(blank=True, help_text='Empty: never expires.', null=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'dlplatform_apitoken',
                        'ordering': ['-created', '-id'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True)), fields=('user', 'name'), name='apitoken_unique_active_name')],
                    },
                ),
            ],
        ),
    ]
