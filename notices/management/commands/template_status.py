from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from notices import selectors
from notices.following import follow_status
from notices.models import Notice
from notices.publishing import pending_change
from tenants.models import Trust


class Command(BaseCommand):
    help = (
        "Per school of a trust: the template release each notice follows, its overrides, conflicts "
        "and whether it is live."
    )

    def add_arguments(self, parser):
        parser.add_argument("trust", help="Trust slug")

    def handle(self, *args, trust, **options):
        found = Trust.objects.filter(slug=trust).first()
        if found is None:
            raise CommandError(f"No trust with slug '{trust}'.")
        self.stdout.write(
            "school\tnotice\ttemplate\trelease\tlatest\tbehind\treplaced\thidden\tlocal\tconflicts\tstatus"
        )
        for school in found.schools.select_related("trust").order_by("name"):
            with tenant_context(school):
                for notice in Notice.objects.order_by("title"):
                    status = follow_status(notice, current_version=selectors.current_version(notice))
                    live = pending_change(notice, school=school).status
                    template = status.template.slug if status.template else "-"
                    self.stdout.write(
                        "\t".join(
                            str(v)
                            for v in (
                                school.slug,
                                notice.slug,
                                template,
                                status.release,
                                status.latest,
                                status.behind,
                                status.replaced,
                                status.hidden,
                                status.local,
                                len(status.conflicts),
                                live,
                            )
                        )
                    )
