"""Publishing and reverting: the domain acts on a notice. Everyone calls these.

The admin, the trust console, the management commands and the tests all go
through publish_notice, so every published version is made the same way.
"""

import hashlib

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from notices import cache as page_cache
from notices.checks import failures
from notices.compose import compose_notice
from notices.document import NoticeDocument
from notices.models import (
    DataCategory,
    LawfulBasis,
    Notice,
    NoticeVersion,
    Purpose,
    Recipient,
    RetentionRule,
    Right,
    Section,
    System,
    version_pdf_filename,
)
from notices.pdf import render_pdf
from notices.rendering import render_notice_html
from tenants import audit


class PublishRefused(Exception):
    """The notice cannot be published as it stands; `problems` says why."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


def current_school():
    """The school whose schema is active. Domain acts refuse to run on the public schema."""
    school = getattr(connection, "tenant", None)
    if school is None or not hasattr(school, "trust_id"):
        raise RuntimeError("No school schema is active; use tenant_context(school) first.")
    return school


def latest_version(notice):
    return NoticeVersion.objects.filter(notice=notice).order_by("-number").first()


def notice_status(notice, *, school):
    """Wagtail's vocabulary: "draft" (never published), "live", or "live + unpublished changes"."""
    latest = latest_version(notice)
    if latest is None:
        return "draft"
    if NoticeDocument.from_dict(latest.document) != compose_notice(notice, school=school):
        return "live + unpublished changes"
    return "live"


@transaction.atomic
def publish_notice(notice, *, user, summary, material=True, force=False):
    """Freeze the notice's current content as the next numbered version, with its HTML and PDF.

    Refuses (PublishRefused) without a summary, or when the completeness check
    fails unless `force` is set; a forced version records that it was forced.
    """
    school = current_school()
    summary = (summary or "").strip()
    if not summary:
        raise PublishRefused(["Say what changed in this version: the summary is shown to parents."])
    # Lock the notice row: concurrent publishes of one notice queue here, so
    # version numbers have no gaps and no duplicates.
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    document = compose_notice(notice, school=school)
    problems = failures(document)
    if problems and not force:
        raise PublishRefused(f"{f.item}. {f.title}: {f.message}" for f in problems)

    number = (NoticeVersion.objects.filter(notice=notice).aggregate(n=Max("number"))["n"] or 0) + 1
    published_at = timezone.now()
    pdf_bytes = render_pdf(document, version_number=number, published_on=timezone.localdate(published_at))
    version = NoticeVersion(
        notice=notice,
        number=number,
        document=document.to_dict(),
        html=render_notice_html(document),
        pdf_sha256=hashlib.sha256(pdf_bytes).hexdigest(),
        summary=summary,
        material=material,
        forced=bool(problems),
        published_by=user,
        published_at=published_at,
    )
    filename = version_pdf_filename(school.slug, notice.slug, number)
    path = version.pdf.field.generate_filename(version, filename)
    storage = version.pdf.storage
    # No committed version owns this number yet, so a file already here is
    # left over from a publish that rolled back: replace it, never rename.
    if storage.exists(path):
        storage.delete(path)
    version.pdf.save(filename, ContentFile(pdf_bytes), save=False)
    try:
        version.save()
    except BaseException:
        storage.delete(version.pdf.name)
        raise
    audit.record(
        audit.Action.PUBLISH,
        actor=user,
        school=school,
        notice=notice.slug,
        version=number,
        material=material,
        forced=version.forced,
        pdf_sha256=version.pdf_sha256,
    )
    schema = connection.schema_name
    transaction.on_commit(lambda: page_cache.forget_pages(schema))
    return version


_REGISTER_MODELS = (
    ("categories", DataCategory),
    ("bases", LawfulBasis),
    ("purposes", Purpose),
    ("systems", System),
    ("retention", RetentionRule),
    ("recipients", Recipient),
    ("rights", Right),
    ("sections", Section),
)
# Document fields that are labels or references, not columns.
_DERIVED = {"uid", "article6_label", "article9_label", "sharing_label", "label", "special_categories", "bases"}


@transaction.atomic
def revert_notice(notice, version, *, user):
    """Load `version`'s content into the draft. Nothing published is touched.

    Rows keep their identity (uid), so the history of each row shows the
    revert as one more change, and the next publish diffs cleanly. Controller
    and school details come from the trust and school records, not the draft.
    """
    if version.notice_id != notice.pk:
        raise ValueError("That version belongs to another notice.")
    document = NoticeDocument.from_dict(version.document)
    reason = f"Reverted to version {version.number}"
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    for name in ("title", "summary"):
        setattr(notice, name, getattr(document, name))
    notice.audience = document.audience
    notice.review_by = document.review_by_date()
    notice.contact_name, notice.contact_role = document.contact.name, document.contact.role
    notice.contact_email, notice.contact_phone = document.contact.email, document.contact.phone
    _save(notice, user, reason)

    rows = {}
    for attr, model in _REGISTER_MODELS:
        items = getattr(document, attr)
        wanted = {item.uid for item in items}
        # Remove rows the version did not have first, so unique rules (one row
        # per right) cannot clash with the rows being restored.
        for row in model.objects.filter(notice=notice).exclude(uid__in=wanted):
            row._history_user = user
            row._change_reason = reason
            row.delete()
        existing = {str(row.uid): row for row in model.objects.filter(notice=notice)}
        for order, item in enumerate(items, start=1):
            row = existing.get(item.uid) or model(notice=notice, uid=item.uid)
            row.order = order
            for key, value in item.__dict__.items():
                if key not in _DERIVED:
                    setattr(row, key, value)
            _save(row, user, reason)
            rows[item.uid] = row

    audit.record(audit.Action.REVERT, actor=user, school=current_school(), notice=notice.slug, version=version.number)
    by_name = {c.name: rows[c.uid] for c in document.categories}
    for basis in document.bases:
        rows[basis.uid].special_categories.set([by_name[n] for n in basis.special_categories if n in by_name])
    for purpose in document.purposes:
        rows[purpose.uid].bases.set([rows[uid] for uid in purpose.bases if uid in rows])
    return notice


def _save(obj, user, reason):
    obj._history_user = user
    obj._change_reason = reason
    obj.save()
