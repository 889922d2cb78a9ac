"""`manage.py load_lessons [--path content] [--force]`: load lesson files into the database."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lessons.content import ContentError
from lessons.loader import load_content


class Command(BaseCommand):
    help = (
        "Create or update courses and lessons from content/<course>/course.yaml and "
        "content/<course>/<module>/<NN>-<lesson>.md. Validates everything first and writes "
        "nothing if any file is invalid. Lessons changed in the admin are left alone unless "
        "--force; when their file changed too, the file's version waits in the admin (with "
        "the difference) for an instructor to accept or keep."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--path",
            default=str(Path(settings.BASE_DIR) / "content"),
            help="The content directory (default: content/ in the project).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite courses and lessons even if an instructor changed them in the admin.",
        )

    def handle(self, *args, path: str, force: bool, verbosity: int, **options):
        try:
            report = load_content(Path(path), force=force)
        except ContentError as exc:
            for problem in exc.problems:
                self.stderr.write(self.style.ERROR(problem))
            raise CommandError(
                f"{len(exc.problems)} problem(s) in {path}; nothing was written."
            ) from None
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if verbosity >= 2:
            for verb in ("created", "updated", "unchanged", "skipped", "flagged"):
                for label in getattr(report, verb):
                    self.stdout.write(f"  {verb}: {label}")
        if report.rerendered:
            self.stdout.write(f"Re-rendered the HTML of {report.rerendered} row(s).")
        self.stdout.write(self.style.SUCCESS(report.summary()))
