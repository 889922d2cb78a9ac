from django.apps import AppConfig


class DeploymentsConfig(AppConfig):
    name = "deployments"
    verbose_name = "Deployed models"

    def ready(self) -> None:
        # Imported once the app registry is ready (it reads the models); registered from here
        # so that accounts, which owns the registry, imports no other app.
        from accounts.personal_data import register
        from deployments import personal_data

        register("deployments", export=personal_data.export, erase=personal_data.erase)
