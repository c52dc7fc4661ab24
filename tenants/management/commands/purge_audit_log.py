from django.conf import settings
from django.core.management.base import BaseCommand

from tenants.audit import purge_expired


class Command(BaseCommand):
    help = (
        f"Delete audit entries older than AUDIT_RETENTION_DAYS ({settings.AUDIT_RETENTION_DAYS} days), "
        "recording the purge itself. Run as the database owner role."
    )

    def handle(self, *args, **options):
        deleted = purge_expired()
        self.stdout.write(f"Deleted {deleted} audit entries older than {settings.AUDIT_RETENTION_DAYS} days.")
