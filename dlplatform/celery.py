"""The Celery app: `celery -A dlplatform worker` finds it here."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dlplatform.settings")

app = Celery("dlplatform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
