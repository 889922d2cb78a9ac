from django.core.management.base import BaseCommand

from jobs.retention import prune_step_events


class Command(BaseCommand):
    help = ("Delete the per-step metric events of runs finished more than DLP_EVENT_RETENTION_"
            "DAYS ago, keeping their summaries, per-epoch history, pictures and models. Beat "
            "runs it daily (tasks.prune_events).")

    def add_arguments(self, parser):
        parser.add_argument("--older-than-days", type=float, default=None,
                            help="instead of DLP_EVENT_RETENTION_DAYS")

    def handle(self, *args, older_than_days=None, **options):
        deleted = prune_step_events(older_than_days=older_than_days)
        self.stdout.write(f"{deleted} per-step events deleted")
