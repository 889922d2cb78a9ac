"""The deployments app takes over DeployedModel from the `training_worker` app, in Django's
state only: its table keeps its name (`db_table`), so no row moves. training_worker 0010
drops the old state and gives the content type its new label."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("jobs", "0001_initial"),
        ("training_worker", "0009_joblimits_max_sweep_runs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DeployedModel',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100)),
                        ('preprocessing', models.JSONField(blank=True, default=dict)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('request_count', models.PositiveBigIntegerField(default=0)),
                        ('prediction_count', models.PositiveBigIntegerField(default=0, help_text='Inputs predicted (a request may hold a batch).')),
                        ('total_latency_ms', models.FloatField(default=0.0, help_text='Sum over requests.')),
                        ('last_latency_ms', models.FloatField(blank=True, null=True)),
                        ('last_predicted_at', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        'db_table': 'training_worker_deployedmodel',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.AddField(
                    model_name='deployedmodel',
                    name='job',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deployments', to='jobs.trainingjob'),
                ),
                migrations.AddField(
                    model_name='deployedmodel',
                    name='owner',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deployed_models', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddIndex(
                    model_name='deployedmodel',
                    index=models.Index(fields=['owner', '-created_at'], name='training_wo_owner_i_a74ce8_idx'),
                ),
            ],
        ),
    ]
