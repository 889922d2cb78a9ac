from django.apps import AppConfig


class TrainingWorkerConfig(AppConfig):
    """The worker machine's code: Celery tasks, the runner, packing, event recording.

    It holds no model. It stays an installed app for its migrations: they built the tables
    that `jobs` and `deployments` now own (their 0001 migrations take them over), and
    existing databases have them recorded as applied.
    """

    name = "training_worker"
    verbose_name = "Training worker"
