import os

from django.apps import AppConfig
from django.conf import settings


class DlplatformConfig(AppConfig):
    name = "dlplatform"
    verbose_name = "Deep Learning Lessons"

    def ready(self) -> None:
        # kombu's filesystem broker expects its folders to exist.
        if settings.CELERY_BROKER_URL.startswith("filesystem://"):
            for key in ("data_folder_in", "processed_folder", "control_folder"):
                os.makedirs(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key], exist_ok=True)
        if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
            os.makedirs(os.path.dirname(settings.DATABASES["default"]["NAME"]), exist_ok=True)
