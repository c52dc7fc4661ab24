from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from notices.models import NoticeVersion
from notices.publishing import PublishRefused
from notices.withdrawal import redact_version, withdraw_version
from tenants.models import School, User


class Command(BaseCommand):
    help = (
        "Withdraw a published version (its addresses then answer 410 Gone with the reason), or with --redact "
        "also remove its content for good because it holds personal data published by mistake. Platform admins only."
    )

    def add_arguments(self, parser):
        parser.add_argument("school", help="School slug")
        parser.add_argument("notice", help="Notice slug")
        parser.add_argument("number", type=int, help="Version number")
        parser.add_argument("--reason", required=True, help="Why; kept in the record and shown to parents.")
        parser.add_argument("--user", required=True, help="Email of the platform admin doing it.")
        parser.add_argument("--redact", action="store_true", help="Also replace the version's content and PDF.")

    def handle(self, *args, school, notice, number, reason, user, redact, **options):
        admin = User.objects.filter(email__iexact=user, is_active=True).first()
        if admin is None:
            raise CommandError(f"No active account for {user}.")
        found = School.objects.filter(slug=school).first()
        if found is None:
            raise CommandError(f"No school with slug '{school}'.")
        with tenant_context(found):
            version = NoticeVersion.objects.filter(notice__slug=notice, number=number).first()
            if version is None:
                raise CommandError(f"{found.name} has no version {number} of a notice '{notice}'.")
            act = redact_version if redact else withdraw_version
            try:
                act(version, by=admin, reason=reason)
            except (PermissionDenied, PublishRefused) as exc:
                raise CommandError(str(exc)) from None
        done = "Redacted and withdrew" if redact else "Withdrew"
        self.stdout.write(f"{done} {found.name} / {notice} version {number}. Purge it from any CDN in front.")
