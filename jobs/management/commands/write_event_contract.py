from django.core.management.base import BaseCommand

from jobs.event_contract import CONTRACT_MODULE, contract_module


class Command(BaseCommand):
    help = ("Write static/js/live/contract.js, the browser's list of the event types a run's "
            "stream carries, from the engine's and the platform's declarations.")

    def handle(self, *args, **options):
        CONTRACT_MODULE.parent.mkdir(parents=True, exist_ok=True)
        CONTRACT_MODULE.write_text(contract_module(), encoding="utf-8")
        self.stdout.write(f"wrote {CONTRACT_MODULE}")
