"""The jobs app takes over the models the `training_worker` app made (TrainingJob, JobEvent,
JobLimits, TrainedModel, StandardBase): in Django's state only. Their tables keep their names
(`db_table`), so no row moves and every foreign key to them stays valid; on a fresh database
training_worker's migrations 0001-0009 create the tables first. training_worker 0010 then
drops the old state and gives the content types their new label."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("lessons", "0007_merge_predictions_and_challenge_conditions"),
        ("training_worker", "0009_joblimits_max_sweep_runs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='JobLimits',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('max_concurrent_jobs', models.PositiveIntegerField(default=3, help_text='Queued or running jobs one learner may have at once.')),
                        ('max_jobs_per_hour', models.PositiveIntegerField(default=60, help_text='Jobs one learner may submit in any 60 minutes.')),
                        ('max_training_seconds_per_day', models.PositiveIntegerField(default=7200, help_text='Training time one learner may use in any 24 hours.')),
                        ('max_queued_jobs', models.PositiveIntegerField(default=1000, help_text='Queued jobs of all learners together; beyond it, 503.')),
                        ('max_sweep_runs', models.PositiveIntegerField(default=20, help_text="Runs one instructor's sweep may hold (grid values × seeds), and sweep runs one instructor may have queued or running at once. Sweep runs take this allowance instead of the per-learner concurrent limit; the hourly, daily and queue limits still count every one of them.")),
                    ],
                    options={
                        'verbose_name': 'job limits',
                        'verbose_name_plural': 'job limits',
                        'db_table': 'training_worker_joblimits',
                    },
                ),
                migrations.CreateModel(
                    name='TrainingJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('config', models.JSONField(help_text='The normalized, validated training config.')),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('succeeded', 'Succeeded'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], db_index=True, default='queued', max_length=16)),
                        ('cancel_requested', models.BooleanField(default=False)),
                        ('shared', models.BooleanField(default=False, help_text='Anyone with the link may view the run (read-only).')),
                        ('share_token', models.CharField(blank=True, editable=False, help_text="The unguessable part of a shared run's link; set while shared, cleared when the owner stops sharing (so an old link stops working).", max_length=64, null=True, unique=True)),
                        ('error', models.TextField(blank=True)),
                        ('result', models.JSONField(blank=True, default=dict, help_text='Summary of the final metrics.')),
                        ('attempt', models.PositiveSmallIntegerField(default=0, help_text='Which attempt is (or was last) running: 2 after a lost worker.')),
                        ('worker', models.CharField(blank=True, help_text='host:pid of the process running the attempt.', max_length=200)),
                        ('last_seq', models.PositiveIntegerField(default=0, help_text='Sequence number of the newest stored event.')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('heartbeat_at', models.DateTimeField(blank=True, help_text='Last time the worker wrote for this job.', null=True)),
                        ('lab', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='jobs', to='lessons.lab')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='training_jobs', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'training_worker_trainingjob',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='TrainedModel',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file', models.FileField(upload_to='models/')),
                        ('size_bytes', models.PositiveBigIntegerField()),
                        ('n_params', models.PositiveBigIntegerField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('job', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='model', to='jobs.trainingjob')),
                    ],
                    options={
                        'db_table': 'training_worker_trainedmodel',
                    },
                ),
                migrations.CreateModel(
                    name='StandardBase',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=60, unique=True)),
                        ('built_at', models.DateTimeField(auto_now=True)),
                        ('job', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='standard_base', to='jobs.trainingjob')),
                    ],
                    options={
                        'db_table': 'training_worker_standardbase',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='JobEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('seq', models.PositiveIntegerField()),
                        ('type', models.CharField(max_length=32)),
                        ('payload', models.JSONField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('job', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='jobs.trainingjob')),
                    ],
                    options={
                        'db_table': 'training_worker_jobevent',
                        'ordering': ['job', 'seq'],
                    },
                ),
                migrations.AddIndex(
                    model_name='trainingjob',
                    index=models.Index(fields=['owner', '-created_at'], name='training_wo_owner_i_06319c_idx'),
                ),
                migrations.AddConstraint(
                    model_name='trainingjob',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['queued', 'running', 'succeeded', 'failed', 'cancelled'])), name='training_job_status_valid'),
                ),
                migrations.AddConstraint(
                    model_name='jobevent',
                    constraint=models.UniqueConstraint(fields=('job', 'seq'), name='job_event_seq_unique'),
                ),
            ],
        ),
    ]
