"""One command for a local platform: migrate, collect static files, load lessons, build the
standard base models, demo logins, a worker and the web.

    python manage.py up [--host 127.0.0.1] [--port 8000] [--no-demo]

The worker runs as a child process with the same settings (embedded default: SQLite and
kombu's filesystem broker; with DATABASE_URL / REDIS_URL set, those services instead).
"""

import os
import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

from dlplatform.serving import UVICORN_OPTIONS


class Command(BaseCommand):
    help = "Set up and start the whole platform (web, worker with scheduler) in one process group."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("DLP_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("DLP_PORT", "8000")))
        parser.add_argument("--no-demo", action="store_true", help="Skip the demo accounts.")

    def handle(self, *args, host: str, port: int, no_demo: bool, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        # Hashed, compressed copies the web serves (dlplatform/static_files.py); it only
        # rewrites what changed since the last run.
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("load_lessons")
        # Transfer-learning labs start from these; a few seconds the first time, then kept.
        call_command("build_base_models")
        if not no_demo:
            call_command("seed_demo")
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "dlplatform", "worker", "--beat",
             "--loglevel", "INFO", "--concurrency", os.environ.get("DLP_WORKER_CONCURRENCY", "1")]
        )
        self.stdout.write(self.style.SUCCESS(
            f"Deep Learning Lessons on http://{host}:{port}/  (Ctrl+C stops web and worker)"
        ))
        try:
            subprocess.run(
                [sys.executable, "-m", "uvicorn", "dlplatform.asgi:application",
                 "--host", host, "--port", str(port), *UVICORN_OPTIONS],
                check=False,
            )
        except KeyboardInterrupt:
            pass
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
