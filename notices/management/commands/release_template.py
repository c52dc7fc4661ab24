from django.core.management.base import BaseCommand, CommandError

from notices.releasing import ReleaseRefused, release_template
from tenants import access
from tenants.models import Template, Trust, User


class Command(BaseCommand):
    help = (
        "Release a trust template's draft as its next numbered release, bringing every school that follows it "
        "up to that release (their drafts; nothing is published)."
    )

    def add_arguments(self, parser):
        parser.add_argument("trust", help="Trust slug")
        parser.add_argument("template", help="Template slug")
        parser.add_argument("--summary", required=True, help="What changed; schools see it in their history.")
        parser.add_argument("--force", action="store_true", help="Release even if the template check fails.")
        parser.add_argument("--user", help="Email of the trust publisher releasing it (recorded).")

    def handle(self, *args, trust, template, summary, force, user, **options):
        found = Trust.objects.filter(slug=trust).first()
        if found is None:
            raise CommandError(f"No trust with slug '{trust}'.")
        chosen = Template.objects.filter(trust=found, slug=template).select_related("trust").first()
        if chosen is None:
            raise CommandError(f"{found.name} has no template '{template}'.")
        by = None
        if user:
            by = User.objects.filter(email__iexact=user, is_active=True).first()
            if by is None or not access.can_publish_trust(by, found):
                raise CommandError(f"{user} is not a publisher of {found.name}.")
        try:
            release = release_template(chosen, user=by, summary=summary, force=force)
        except ReleaseRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Released {found.name} / {chosen.slug} as release {release.number}.")
