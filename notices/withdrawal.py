"""Taking a published version down, on the record: the only acts that touch a published version.

withdraw_version and redact_version are for platform admins only;
withdraw_upcoming lets the trust's publishers take back a version before it
comes into force (it was public, so it stays in the record as withdrawn and its
number is never reused). Each leaves an audit event and an announcement event. A withdrawn
version's addresses answer 410 Gone with the reason and a link to the current
version; the archive keeps a line for it. A redaction also replaces the
version's document, HTML, summary and PDF with a notice of redaction (the one
UPDATE the versions table's trigger lets through, once a redaction row is on
record) and deletes the original PDF; the audit log keeps the SHA-256 of each
removed part, who did it, when and why. Cached copies in this portal are
retired at commit; a CDN in front must be purged by hand (docs/operations.md).
"""

import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.utils import timezone

from announcements import events
from notices import cache as page_cache
from notices.models import NoticeVersion, Withdrawal
from notices.pdf import render_redaction_pdf
from notices.publishing import PublishRefused, current_school
from tenants import access, audit

REDACTED_HTML = (
    '<article class="notice" lang="en-GB"><h1 id="top">This version was removed</h1>'
    "<p>Its content was removed because it contained personal information that was published by mistake.</p>"
    "</article>"
)


def _check(by, reason):
    if not getattr(by, "is_platform_admin", False) or not by.is_active:
        raise PermissionDenied("Only a platform admin can withdraw or redact a published version.")
    return _reason(reason)


def _reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise PublishRefused(["Say why: the reason is kept in the record and shown to parents."])
    return reason


def _forget_pages_at_commit():
    page_cache.forget_pages(connection.schema_name)


@transaction.atomic
def withdraw_version(version, *, by, reason):
    """Take `version` down: its addresses answer 410 with `reason`, and the current version is the one before."""
    return _withdraw(version, by=by, reason=_check(by, reason))


@transaction.atomic
def withdraw_upcoming(version, *, by, reason):
    """Take back a version before it comes into force: the version in force now stays in force.

    For the trust's publishers (and platform admins). Once it is in force only
    a platform admin can withdraw it (withdraw_version).
    """
    school = current_school()
    if not (getattr(by, "is_platform_admin", False) and by.is_active) and not access.can_publish_trust(
        by, school.trust
    ):
        raise PermissionDenied("Only the trust's publishers can withdraw a version before it takes effect.")
    reason = _reason(reason)
    locked = NoticeVersion.objects.select_for_update().get(pk=version.pk)
    if locked.effective_at <= timezone.now():
        raise PublishRefused(
            [f"Version {locked.number} is in force already; ask a platform admin to withdraw it if it must go."]
        )
    return _withdraw(locked, by=by, reason=reason, scheduled=True)


def _withdraw(version, *, by, reason, scheduled=False):
    school = current_school()
    version = NoticeVersion.objects.select_for_update().get(pk=version.pk)
    if version.withdrawals.exists():
        raise PublishRefused([f"Version {version.number} is already withdrawn."])
    withdrawal = Withdrawal.objects.create(version=version, reason=reason, at=timezone.now(), by=by)
    audit.record(
        audit.Action.WITHDRAW,
        actor=by,
        school=school,
        notice=version.notice.slug,
        version=version.number,
        reason=reason,
        **({"before_in_force": True} if scheduled else {}),
    )
    events.version_withdrawn(school, version, reason=reason)
    _forget_pages_at_commit()
    return withdrawal


@transaction.atomic
def redact_version(version, *, by, reason):
    """Remove `version`'s content for good (personal data published by mistake), keeping the record of it."""
    reason = _check(by, reason)
    school = current_school()
    version = NoticeVersion.objects.select_for_update().get(pk=version.pk)
    if version.redacted_at is not None:
        raise PublishRefused([f"Version {version.number} is already redacted."])
    now = timezone.now()
    with version.pdf.open("rb") as stored:
        removed_pdf = stored.read()
    removed = {
        "document_sha256": hashlib.sha256(_canonical(version.document)).hexdigest(),
        "html_sha256": hashlib.sha256(version.html.encode()).hexdigest(),
        "summary_sha256": hashlib.sha256(version.summary.encode()).hexdigest(),
        "pdf_sha256": hashlib.sha256(removed_pdf).hexdigest(),
    }
    if not version.withdrawals.exists():
        Withdrawal.objects.create(version=version, reason=reason, at=now, by=by)
        events.version_withdrawn(school, version, reason=reason)
    Withdrawal.objects.create(version=version, redacted=True, reason=reason, at=now, by=by)

    pdf = render_redaction_pdf(version_number=version.number, school_name=school.name, redacted_on=now)
    old_name = version.pdf.name
    version.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    new_name = version.pdf.storage.save(version.pdf.field.generate_filename(version, ""), ContentFile(pdf))
    # The versions manager refuses updates; this is the one audited exception,
    # and the database trigger checks the redaction row written above.
    models.QuerySet(NoticeVersion).filter(pk=version.pk).update(
        document={"redacted": True},
        html=REDACTED_HTML,
        summary="Removed: this version contained personal information published by mistake.",
        pdf=new_name,
        pdf_sha256=version.pdf_sha256,
        redacted_at=now,
    )
    audit.record(
        audit.Action.REDACT,
        actor=by,
        school=school,
        notice=version.notice.slug,
        version=version.number,
        reason=reason,
        removed=removed,
    )
    storage = version.pdf.storage
    transaction.on_commit(lambda: storage.delete(old_name), robust=True)
    _forget_pages_at_commit()
    return version


def _canonical(data):
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
