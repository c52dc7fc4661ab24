from django.core.management.base import BaseCommand

from subscriptions.acts import purge_every_school


class Command(BaseCommand):
    help = (
        "Delete, in every school, the email addresses never confirmed within SUBSCRIPTION_CONFIRM_DAYS. "
        "The background worker does this every hour, and subscribing does it for its own school."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {purge_every_school()} unconfirmed address(es).")
