"""Prediction.job points at jobs.TrainingJob, the same table as before (training_worker_trainingjob):
a change of Django's state only, the column and its constraint stay."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0001_initial'),
        ('lessons', '0007_merge_predictions_and_challenge_conditions'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='prediction',
                    name='job',
                    field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='prediction', to='jobs.trainingjob'),
                ),
            ],
        ),
    ]
