from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants.cloning import CloneError
from tenants.models import Trust
from tenants.provisioning import school_host
from tenants.services import add_school


class Command(BaseCommand):
    help = "Create a school: its row, its own PostgreSQL schema (migrated) and its host <slug>.<PORTAL_DOMAIN>."

    def add_arguments(self, parser):
        parser.add_argument("--trust", required=True, help="Slug of the trust the school belongs to.")
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True, help="Lowercase; becomes the host and the schema name.")
        parser.add_argument("--urn", required=True, help="The school's 6-digit DfE URN.")
        parser.add_argument("--address", default="")
        parser.add_argument("--headteacher", default="")
        parser.add_argument("--contact-email", default="")

    def handle(self, *args, **options):
        try:
            trust = Trust.objects.get(slug=options["trust"])
        except Trust.DoesNotExist:
            known = ", ".join(Trust.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No trust with slug '{options['trust']}'. Known trusts: {known}.") from None
        try:
            school = add_school(
                trust=trust,
                name=options["name"],
                slug=options["slug"],
                urn=options["urn"],
                address=options["address"],
                headteacher=options["headteacher"],
                contact_email=options["contact_email"],
            )
        except ValidationError as exc:
            lines = [f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()]
            raise CommandError("The school was not created.\n" + "\n".join(lines)) from None
        except CloneError as exc:
            raise CommandError(f"The school was not created. {exc}") from None
        self.stdout.write(f"Created {school.name} (schema {school.schema_name}) at {school_host(school.slug)}")
