from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Imported once the app registry is ready (it imports models); connects its receivers.
        from accounts import instructors  # noqa: F401
