import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from notices.export import export_document
from notices.importing.blocks import ImportRefused
from notices.importing.service import import_notice, import_template
from notices.models import Audience
from tenants.models import School, Trust, User


class Command(BaseCommand):
    help = (
        "Import an existing privacy notice (.docx, .html, .htm, .txt, .md) into a school's draft or, with "
        "--trust, a trust template's draft; it is never published or released. --dry-run saves nothing and "
        "prints the composed document as export JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The notice file")
        into = parser.add_mutually_exclusive_group(required=True)
        into.add_argument("--school", help="School slug: import into that school's draft")
        into.add_argument("--trust", help="Trust slug: import into a template of that trust (never released)")
        parser.add_argument(
            "--notice", default="pupils-and-parents", help="Slug of the draft notice (or template) to create"
        )
        parser.add_argument("--title", default="", help="The notice's title (default: the file's own)")
        parser.add_argument("--audience", default=Audience.PUPILS_PARENTS, choices=Audience.values)
        parser.add_argument("--replace", action="store_true", help="Overwrite the draft of an existing notice.")
        parser.add_argument("--dry-run", action="store_true", help="Save nothing; print the document as JSON.")
        parser.add_argument("--user", help="Email of whoever does it (recorded in the history).")

    def handle(self, *args, file, school, trust, notice, title, audience, replace, dry_run, user, **options):
        if school:
            found = School.objects.select_related("trust").filter(slug=school).first()
            if found is None:
                raise CommandError(f"No school with slug '{school}'.")
            act = import_notice
        else:
            found = Trust.objects.filter(slug=trust).first()
            if found is None:
                raise CommandError(f"No trust with slug '{trust}'.")
            act = import_template
        by = User.objects.filter(email__iexact=user, is_active=True).first() if user else None
        if user and by is None:
            raise CommandError(f"No active account for {user}.")
        path = Path(file)
        try:
            with path.open("rb") as handle:
                # One byte over the limit is enough for read() to refuse it; no need to load a huge file.
                data = handle.read(settings.IMPORT_MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        try:
            result = act(
                found,
                data,
                path.name,
                slug=notice,
                title=title,
                audience=audience,
                user=by,
                replace=replace,
                dry_run=dry_run,
            )
        except ImportRefused as exc:
            raise CommandError(str(exc)) from None
        for line in result.report.summary_lines():
            self.stderr.write(line)
        if dry_run:
            self.stdout.write(json.dumps(export_document(result.document), ensure_ascii=False, indent=2))
        else:
            done = "published" if school else "released"
            self.stderr.write(f"Imported {path.name} into the draft of {found.name} / {notice}; nothing was {done}.")
