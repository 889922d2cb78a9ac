"""Build the platform's standard base models (engine.catalog.STANDARD_BASES) on this server.

    python manage.py build_base_models [--rebuild] [name ...]

Weights cannot be downloaded here, so the platform makes its own: each base is an ordinary
training job, owned by the "platform" account and trained in this process through the same
runner as a worker's jobs, so its curves, metrics and model file are stored like any run.
Idempotent: a base already built from the same config is kept unless --rebuild.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from engine import parse_config
from engine.catalog import STANDARD_BASES
from jobs import services
from jobs.models import JobStatus, StandardBase, TrainingJob
from training_worker import runner

PLATFORM_USERNAME = "platform"


class Command(BaseCommand):
    help = "Train the standard base models that transfer-learning jobs can start from."

    def add_arguments(self, parser) -> None:
        parser.add_argument("names", nargs="*", help="Only these bases (default: all).")
        parser.add_argument("--rebuild", action="store_true", help="Train them again.")

    def handle(self, *args, names: list[str], rebuild: bool, **options) -> None:
        unknown = sorted(set(names) - set(STANDARD_BASES))
        if unknown:
            raise CommandError(f"unknown base {', '.join(unknown)}; "
                               f"the bases are {', '.join(STANDARD_BASES)}")
        owner = _platform_user()
        for name in names or STANDARD_BASES:
            config = parse_config(STANDARD_BASES[name]["config"]).to_dict()
            if not rebuild and _is_built(name, config):
                self.stdout.write(f"{name}: already built")
                continue
            job = _build(name, config, owner)
            if job.status != JobStatus.SUCCEEDED:
                raise CommandError(f"{name}: training {job.status}: {job.error}")
            accuracy = job.result.get("val_accuracy")
            self.stdout.write(self.style.SUCCESS(
                f"{name}: built by job {job.pk} (validation accuracy {accuracy:.3f})"
            ))


def _platform_user():
    user, created = get_user_model().objects.get_or_create(
        username=PLATFORM_USERNAME, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()  # nobody logs in as the platform
        user.save(update_fields=["password"])
    elif user.is_active or user.has_usable_password():
        # Someone signed up with the name before it was reserved: never hand them the bases.
        raise CommandError(
            f'The account "{PLATFORM_USERNAME}" belongs to a person (it can log in). Rename '
            "it in the admin, then run this command again."
        )
    return user


def _is_built(name: str, config: dict) -> bool:
    standard = StandardBase.objects.filter(name=name).select_related("job").first()
    # The stored config read as the engine reads it today: a field the engine gained since
    # (with its default) must not make an unchanged base look different and retrain it.
    return (
        standard is not None
        and parse_config(standard.job.config).to_dict() == config
        and standard.job.status == JobStatus.SUCCEEDED
        and hasattr(standard.job, "model")
    )


def _build(name: str, config: dict, owner) -> TrainingJob:
    """Train the base as a job in this process (no worker needed), then point the name at it."""
    job = services.job_create_unqueued(owner=owner, config=config)
    # Never packed: learners' queued jobs must not train inside this command.
    runner.job_run(job_id=job.pk, worker="build_base_models", pack=False)
    job.refresh_from_db()
    if job.status == JobStatus.SUCCEEDED:
        StandardBase.objects.update_or_create(name=name, defaults={"job": job})
    return job
