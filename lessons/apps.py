from django.apps import AppConfig


class LessonsConfig(AppConfig):
    name = "lessons"
    verbose_name = "Lessons"

    def ready(self) -> None:
        # Imported once the app registry is ready: content_cache imports the models.
        from lessons.content_cache import connect_signals

        connect_signals()
        # Registered from here so that accounts, which owns the registry, imports no other app.
        from accounts.personal_data import register
        from lessons import personal_data

        register("lessons", export=personal_data.export)
