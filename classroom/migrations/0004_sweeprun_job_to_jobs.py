"""SweepRun.job points at jobs.TrainingJob, the same table as before (training_worker_trainingjob):
a change of Django's state only, the column and its constraint stay."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('classroom', '0003_sweeps'),
        ('jobs', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='sweeprun',
                    name='job',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='sweep_run', to='jobs.trainingjob'),
                ),
            ],
        ),
    ]
