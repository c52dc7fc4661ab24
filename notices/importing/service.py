"""Importing a notice file: into a school's draft (import_notice) or a trust's template draft (import_template).

The only ways an import is written. Neither ever publishes or releases; each
is one transaction, so a refusal or a dry run leaves nothing behind, and each
is one recorded change in the history and one audit event.
"""

import dataclasses
from dataclasses import dataclass

from django.db import transaction
from django_tenants.utils import tenant_context

from notices.applying import apply_document
from notices.compose import compose_notice, compose_template
from notices.document import NoticeDocument
from notices.importing.blocks import ImportRefused
from notices.importing.mapping import Report, coverage, map_blocks
from notices.importing.reading import read
from notices.models import Audience, Notice
from notices.releasing import ReleaseRefused, create_template, template_notice, workspace_context
from tenants import access, audit
from tenants.models import Template


@dataclass(frozen=True)
class ImportResult:
    notice: Notice | None  # None after a dry run
    document: NoticeDocument  # the draft as composed, exactly what a publish (or release) would start from
    report: Report


def _mapped(filename, data, audience):
    if audience not in Audience.values:
        raise ImportRefused(f"'{audience}' is not an audience; use one of: {', '.join(Audience.values)}.")
    blocks = read(filename, data)
    content, report = map_blocks(blocks)
    return blocks, content, report


def _draft(notice, document, *, user, reason, template=False):
    """Give `document` to `notice`'s draft, keeping the notice's own summary (an imported file has none)."""
    document = dataclasses.replace(document, summary=notice.summary)
    return apply_document(notice, document, user=user, reason=reason, origins=not template)


def _new_notice(document, *, user, reason):
    notice = Notice(
        title=document.title,
        slug=document.slug,
        audience=document.audience,
        summary="",
        contact_name=document.contact.name,
        contact_role=document.contact.role,
        contact_email=document.contact.email,
        review_by=document.review_by_date(),
    )
    notice._history_user, notice._change_reason = user, reason
    notice.save()
    return notice


def _result(draft, composed, blocks, report, /, *, dry_run, user, **where):
    """The end of an import, inside its transaction: the coverage, then a rollback (dry run) or the audit event."""
    report.coverage = coverage(blocks, composed)
    if dry_run:
        transaction.set_rollback(True)
    else:
        audit.record(audit.Action.NOTICE_IMPORTED, actor=user, **where)
    return ImportResult(notice=None if dry_run else draft, document=composed, report=report)


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
    blocks, content, report = _mapped(filename, data, audience)
    reason = f"Imported from {filename}"[:100]
    with tenant_context(school), transaction.atomic():
        notice = Notice.objects.filter(slug=slug).first()
        if notice is not None and not replace:
            raise ImportRefused(
                f"{school.name} already has a notice '{slug}'; import with replace to overwrite its draft."
            )
        if notice is not None and notice.follows_id:
            raise ImportRefused(f"'{slug}' follows a trust template: import into a notice of the school's own.")
        document = content.document(
            slug=slug,
            title=title or (notice.title if notice else ""),
            audience=audience,
            contact_email=notice.contact_email if notice else school.contact_email,
            review_by=notice.review_by if notice else None,
        )
        notice = _draft(notice or _new_notice(document, user=user, reason=reason), document, user=user, reason=reason)
        composed = compose_notice(notice, school=school)
        return _result(
            notice,
            composed,
            blocks,
            report,
            dry_run=dry_run,
            user=user,
            school=school,
            notice=slug,
            file=filename,
            replaced=replace,
        )


def import_template(
    trust,
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
    """Make `trust`'s template `slug` (new, or with `replace` an existing one's draft) say what the file says.

    Nothing is released: schools see it only once trust staff release it.
    """
    if user is not None and not access.can_publish_trust(user, trust):
        raise ImportRefused(f"Only publishers of {trust.name} make or change its templates.")
    blocks, content, report = _mapped(filename, data, audience)
    reason = f"Imported from {filename}"[:100]
    with transaction.atomic():
        template = Template.objects.select_for_update().filter(trust=trust, slug=slug).first()
        if template is not None and not replace:
            raise ImportRefused(f"{trust.name} already has a template '{slug}'; import with replace to overwrite it.")
        document = content.document(
            slug=slug,
            title=title or (template.title if template else ""),
            audience=audience,
            contact_email=trust.dpo_email,
        )
        if template is None:
            try:
                template = create_template(trust, document=document, slug=slug, title=document.title, user=user)
            except ReleaseRefused as exc:
                raise ImportRefused(" ".join(exc.problems)) from None
        else:
            with workspace_context(template):
                _draft(template_notice(template), document, user=user, reason=reason, template=True)
        with workspace_context(template):
            notice = template_notice(template)
            composed = compose_template(notice, trust=trust)
        return _result(
            notice,
            composed,
            blocks,
            report,
            dry_run=dry_run,
            user=user,
            trust=trust,
            template=slug,
            file=filename,
            replaced=replace,
        )
