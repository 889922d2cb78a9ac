from django.apps import AppConfig


class LessonsConfig(AppConfig):
    name = "lessons"
    verbose_name = "Lessons"

    def ready(self) -> None:
        # Imported once the app registry is ready: content_cache imports the models.
        from lessons.content_cache import connect_signals

        connect_signals()
