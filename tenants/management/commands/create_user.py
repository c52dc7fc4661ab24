import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from tenants.memberships import grant_role
from tenants.models import Membership, School, Trust, User


class Command(BaseCommand):
    help = (
        "Create an account: --role editor --school SLUG (a school's DPL), --role publisher --trust SLUG "
        "(trust staff), or --platform-admin. Prompts for the password unless --password is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="")
        parser.add_argument("--role", choices=[Membership.Role.EDITOR, Membership.Role.PUBLISHER])
        parser.add_argument("--school", help="School slug, for --role editor.")
        parser.add_argument("--trust", help="Trust slug, for --role publisher.")
        parser.add_argument("--platform-admin", action="store_true")
        parser.add_argument("--password", help="For scripts; otherwise you are asked twice.")

    def handle(self, *args, email, name, role, school, trust, platform_admin, password, **options):
        email = User.normalize_username(email)
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"'{email}' is not a valid email address.") from None
        if User.objects.filter(email=email).exists():
            raise CommandError(f"An account for {email} already exists.")
        scope = self._scope(role, school, trust, platform_admin)
        if password is None:
            password = self._prompt()
        candidate = User(email=email, name=name)
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            raise CommandError("Password refused: " + " ".join(exc.messages)) from None
        with transaction.atomic():
            user = User.objects.create_user(email, password, name=name, is_platform_admin=platform_admin)
            if role:
                grant_role(user, role, **scope)
        where = scope.get("school") or scope.get("trust")
        self.stdout.write(
            f"Created {user.email}"
            + (f" as {role} of {where}" if role else "")
            + (" (platform admin)" if platform_admin else "")
        )

    def _scope(self, role, school, trust, platform_admin):
        if not role and not platform_admin:
            raise CommandError(
                "Give a role: --role editor --school SLUG, --role publisher --trust SLUG, or --platform-admin."
            )
        if role == Membership.Role.EDITOR:
            if not school or trust:
                raise CommandError("An editor belongs to one school: use --school SLUG (and no --trust).")
            found = School.objects.filter(slug=school).first()
            if found is None:
                raise CommandError(f"No school with slug '{school}'.")
            return {"school": found}
        if role == Membership.Role.PUBLISHER:
            if not trust or school:
                raise CommandError("A publisher belongs to a trust: use --trust SLUG (and no --school).")
            found = Trust.objects.filter(slug=trust).first()
            if found is None:
                raise CommandError(f"No trust with slug '{trust}'.")
            return {"trust": found}
        return {}

    def _prompt(self):
        try:
            first = getpass.getpass("Password: ")
            second = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt):
            raise CommandError("No password given.") from None
        if first != second:
            raise CommandError("The passwords did not match.")
        return first
