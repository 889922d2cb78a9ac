from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Training jobs"

    def ready(self) -> None:
        # Imported once the app registry is ready (it reads the models); registered from here
        # so that accounts, which owns the registry, imports no other app.
        from accounts.personal_data import register
        from jobs import personal_data

        register("jobs", export=personal_data.export, erase=personal_data.erase)
