from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from notices.management.options import add_when_arguments, publisher_option
from notices.models import Notice
from notices.moments import spoken
from notices.publishing import PublishRefused, publish_notice
from tenants.models import School


class Command(BaseCommand):
    help = (
        "Publish the next version of a school's notice, with its PDF. Without --user the version is "
        "recorded as published by an operator (no account)."
    )

    def add_arguments(self, parser):
        parser.add_argument("school", help="School slug")
        parser.add_argument("notice", help="Notice slug")
        parser.add_argument("--summary", required=True, help="What changed, shown to parents.")
        parser.add_argument("--user", help="Email of a publisher of the school's trust.")
        parser.add_argument("--non-material", action="store_true", help="A wording or typo fix.")
        parser.add_argument("--force", action="store_true", help="Publish despite completeness failures (recorded).")
        add_when_arguments(parser)

    def handle(self, *args, school, notice, summary, user, non_material, force, effective, urgent_reason, **options):
        found = School.objects.select_related("trust").filter(slug=school).first()
        if found is None:
            known = ", ".join(School.objects.order_by("slug").values_list("slug", flat=True)) or "none"
            raise CommandError(f"No school with slug '{school}'. Known schools: {known}.")
        publisher = publisher_option(user, found.trust)
        with tenant_context(found):
            target = Notice.objects.filter(slug=notice).first()
            if target is None:
                known = ", ".join(Notice.objects.values_list("slug", flat=True)) or "none"
                raise CommandError(f"{found.name} has no notice '{notice}'. Its notices: {known}.")
            try:
                version = publish_notice(
                    target,
                    user=publisher,
                    summary=summary,
                    material=not non_material,
                    force=force,
                    effective_at=effective,
                    urgent_reason=urgent_reason,
                )
            except PublishRefused as exc:
                raise CommandError("Not published:\n" + "\n".join(f"  - {p}" for p in exc.problems)) from None
        self.stdout.write(f"Published {found.name} / {target.title} version {version.number}")
        if version.effective_at > version.published_at:
            self.stdout.write(f"It takes effect on {spoken(version.effective_at)}; until then the current one applies.")
        if version.forced:
            self.stdout.write("Published with completeness failures (--force); recorded on the version.")
        self.stdout.write(f"PDF SHA-256: {version.pdf_sha256}")
