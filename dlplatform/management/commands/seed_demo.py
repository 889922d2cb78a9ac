"""Create the demo learner and instructor of a local run (never run this in production)."""

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand

DEMO_ACCOUNTS = [
    # username, password, is_staff
    ("learner", "learn-deep-2024", False),
    ("instructor", "teach-deep-2024", True),
]


class Command(BaseCommand):
    help = "Create (or reset) the demo accounts: learner and instructor."

    def handle(self, *args, **options) -> None:
        for username, password, is_staff in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(username=username)
            user.set_password(password)
            user.is_staff = is_staff
            user.save()
            verb = "created" if created else "reset"
            self.stdout.write(f"{verb} {'instructor' if is_staff else 'learner'} "
                              f"{username!r} / password {password!r}")
