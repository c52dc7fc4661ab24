from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_tenants.utils import tenant_context

from notices import following
from notices.models import Notice
from tenants.models import School, Template, User


class Command(BaseCommand):
    help = (
        "Link a school's existing notice to its trust's template: identical items become inherited, differing "
        "ones the school's replacements, the rest stay the school's own. --dry-run only prints the plan."
    )

    def add_arguments(self, parser):
        parser.add_argument("school", help="School slug")
        parser.add_argument("notice", help="Notice slug")
        parser.add_argument("--template", required=True, help="Template slug (of the school's trust)")
        parser.add_argument("--dry-run", action="store_true", help="Print what would happen; change nothing.")
        parser.add_argument("--user", help="Email of whoever does it (recorded in the history).")

    def handle(self, *args, school, notice, template, dry_run, user, **options):
        found = School.objects.select_related("trust").filter(slug=school).first()
        if found is None:
            raise CommandError(f"No school with slug '{school}'.")
        chosen = Template.objects.filter(trust=found.trust, slug=template).first()
        if chosen is None:
            raise CommandError(f"{found.trust.name}, the trust of {found.name}, has no template '{template}'.")
        by = User.objects.filter(email__iexact=user, is_active=True).first() if user else None
        if user and by is None:
            raise CommandError(f"No active account for {user}.")
        with tenant_context(found):
            target = Notice.objects.filter(slug=notice).first()
            if target is None:
                raise CommandError(f"{found.name} has no notice '{notice}'.")
            try:
                with transaction.atomic():
                    plan = (following.plan_link if dry_run else following.link_notice)(
                        target, chosen, school=found, **({} if dry_run else {"user": by})
                    )
            except following.FollowRefused as exc:
                raise CommandError(str(exc)) from None
        for outcome, steps in plan.by_outcome().items():
            self.stdout.write(f"{outcome}: {len(steps)}")
            for step in steps:
                self.stdout.write(f"  {step.register.heading}: {step.label}")
        done = "Would link" if dry_run else "Linked"
        self.stdout.write(f"{done} {found.name} / {notice} to {chosen.slug} release {plan.release.number}.")
