"""import_notice: a notice file -> a school's draft notice (never published). The one way an import is written."""

import dataclasses
from dataclasses import dataclass

from django.db import transaction
from django_tenants.utils import tenant_context

from notices.applying import apply_document
from notices.compose import compose_notice
from notices.document import NoticeDocument
from notices.importing.blocks import ImportRefused
from notices.importing.mapping import Report, coverage, map_blocks
from notices.importing.reading import read
from notices.models import Audience, Notice
from tenants import access


@dataclass(frozen=True)
class ImportResult:
    notice: Notice | None  # None after a dry run
    document: NoticeDocument  # the draft as composed, exactly what a publish would start from
    report: Report


def import_notice(
    school,
    data: bytes,
    filename: str,
    *,
    slug,
    title="",
    audience=Audience.PUPILS_PARENTS,
    user=None,
    replace=False,
    dry_run=False,
) -> ImportResult:
    """Make `school`'s draft notice `slug` say what the file says; ImportRefused (and nothing written) if it cannot.

    An existing notice is only overwritten with `replace`, as one recorded change
    of its draft. A dry run writes everything in a transaction it then rolls
    back, so its document is the one a real import would make.
    """
    if user is not None and not access.can_edit_school(user, school):
        raise ImportRefused(f"{user.email} has no role at {school.name}: only its editors and publishers import.")
    if audience not in Audience.values:
        raise ImportRefused(f"'{audience}' is not an audience; use one of: {', '.join(Audience.values)}.")
    blocks = read(filename, data)
    content, report = map_blocks(blocks)
    reason = f"Imported from {filename}"
    with tenant_context(school), transaction.atomic():
        notice = Notice.objects.filter(slug=slug).first()
        if notice is not None and not replace:
            raise ImportRefused(
                f"{school.name} already has a notice '{slug}'; import with replace to overwrite its draft."
            )
        document = content.document(
            slug=slug,
            title=title or (notice.title if notice else ""),
            audience=audience,
            contact_email=notice.contact_email if notice else school.contact_email,
            review_by=notice.review_by if notice else None,
        )
        if notice is None:
            notice = Notice(
                title=document.title,
                slug=slug,
                audience=audience,
                summary="",
                contact_name=document.contact.name,
                contact_role=document.contact.role,
                contact_email=document.contact.email,
                review_by=document.review_by_date(),
            )
            notice._history_user, notice._change_reason = user, reason
            notice.save()
        else:
            # The summary is the school's own words, which an imported file does not carry.
            document = dataclasses.replace(document, summary=notice.summary)
        notice = apply_document(notice, document, user=user, reason=reason)
        composed = compose_notice(notice, school=school)
        report.coverage = coverage(blocks, composed)
        if dry_run:
            transaction.set_rollback(True)
    return ImportResult(notice=None if dry_run else notice, document=composed, report=report)
