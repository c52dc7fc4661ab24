"""Publishing and reverting: the domain acts on a notice. Everyone calls these.

The admin, the trust console, the management commands and the tests all go
through publish_notice, so every published version is made the same way.
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from announcements import events
from notices import cache as page_cache
from notices import selectors
from notices.applying import apply_document
from notices.checks import NEVER_FORCED, failures
from notices.compose import compose_notice
from notices.diff import NoticeDiff, diff_documents
from notices.document import NoticeDocument
from notices.following import conflicts, latest_release, sync_notice
from notices.models import Notice, NoticeVersion
from notices.moments import spoken
from notices.pdf import PdfRenderError, render_pdf
from notices.rendering import render_notice_html
from tenants import audit
from tenants.models import School


class PublishRefused(Exception):
    """The notice cannot be published as it stands; `problems` says why."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


class NothingToPublish(PublishRefused):
    """The draft reads the same as the live version."""


class BaseMoved(PublishRefused):
    """A version was published, or the draft changed, since the publisher reviewed it."""


class PublishFailed(PublishRefused):
    """Making the version's outputs failed (the PDF); nothing was published."""


class HasConflicts(PublishRefused):
    """The school overrides trust items that the trust has changed since: the DPL must resolve them first."""


class TooSoon(PublishRefused):
    """A material change would take effect before the trust's notice period is over, and no urgent reason was given."""


# A publisher who picks "now" on a form sends a time a little in the past by the time it arrives.
EFFECTIVE_GRACE = datetime.timedelta(minutes=5)


def current_school():
    """The school whose schema is active. Domain acts refuse to run on the public schema."""
    school = getattr(connection, "tenant", None)
    if school is None or not hasattr(school, "trust_id"):
        raise RuntimeError("No school schema is active; use tenant_context(school) first.")
    return school


def fresh_school(school):
    """`school` and its trust as they are in the database now, not as a cached host lookup had them."""
    return School.objects.select_related("trust").get(pk=school.pk)


def document_hash(document: NoticeDocument) -> str:
    """What a publisher reviewed, in 64 hex digits: the base they pass back to publish_notice."""
    return hashlib.sha256(document.to_json().encode()).hexdigest()


@dataclass(frozen=True)
class PendingChange:
    """The one answer to "is there anything to publish?", used by the status, the publish pages and publishing."""

    latest: NoticeVersion | None  # the newest version not withdrawn: in force, or upcoming
    live: NoticeVersion | None  # the version parents see now, if any
    latest_number: int  # the highest version number, withdrawn ones included (0: never published)
    document: NoticeDocument  # the draft, composed
    diff: NoticeDiff | None  # latest -> draft, or None when nothing was published

    @property
    def has_changes(self):
        return self.diff is None or self.diff.has_changes

    @property
    def document_hash(self):
        return document_hash(self.document)

    @property
    def upcoming(self):
        """The latest version, if it is still to come into force."""
        return self.latest if self.latest is not None and self.latest != self.live else None

    @property
    def status(self):
        """Wagtail's vocabulary: "draft" (nothing published), "live" or "upcoming", "+ unpublished changes"."""
        if self.latest is None:
            return "draft"
        state = "upcoming" if self.upcoming else "live"
        return f"{state} + unpublished changes" if self.has_changes else state


def pending_change(notice, *, school) -> PendingChange:
    """Compare the draft with the latest version the way a reader would (notices.diff): no change, no publish."""
    document = compose_notice(notice, school=school)
    latest = selectors.latest_version(notice)
    live = latest if latest is None or latest.effective_at <= timezone.now() else selectors.current_version(notice)
    latest_number = NoticeVersion.objects.filter(notice=notice).aggregate(n=Max("number"))["n"] or 0
    diff = diff_documents(NoticeDocument.from_dict(latest.document), document) if latest else None
    return PendingChange(latest=latest, live=live, latest_number=latest_number, document=document, diff=diff)


def notice_status(notice, *, school):
    return pending_change(notice, school=school).status


def publish_notice(
    notice,
    *,
    user,
    summary,
    material=True,
    force=False,
    base_number=None,
    base_hash=None,
    effective_at=None,
    urgent_reason="",
):
    """Freeze the notice's current content as the next numbered version, with its HTML and PDF.

    Refuses (PublishRefused) without a summary, when nothing changed since the
    latest version, when the completeness check fails unless `force` is set (a
    forced version records that it was forced), and, when the publisher passes
    the base they reviewed (`base_number`, the latest version number they saw,
    0 for none; `base_hash`, document_hash of the draft they saw), when either
    moved since. A PDF that cannot be made is a refusal too, with an audit event.

    The version is in force from `effective_at` (default: now); until then it
    is upcoming (check_effective says when it may be). The act records the
    announcement events (announcements.events) in the same transaction.
    """
    school = current_school()
    try:
        return _publish(
            notice, school, user, summary, material, force, base_number, base_hash, effective_at, urgent_reason
        )
    except PdfRenderError as exc:
        audit.record(audit.Action.PUBLISH_FAILED, actor=user, school=school, notice=notice.slug, error=str(exc))
        raise PublishFailed([f"The PDF could not be made, so nothing was published: {exc}"]) from exc


def check_effective(change, *, school, material, effective_at, urgent_reason, now):
    """When the new version may come into force: the moment to record, or TooSoon/PublishRefused saying why.

    A first version is in force when published (there is nothing to keep in
    force until then). A later one never before the upcoming version it
    follows. A material change waits out the trust's notice period unless an
    urgent reason is given (recorded on the version); a wording fix may take
    effect at once.
    """
    effective_at = not_past(effective_at, now=now)
    if change.latest is None:
        if effective_at > now:
            raise PublishRefused(["A first version takes effect when it is published: leave the date empty."])
        return effective_at
    if change.upcoming is not None and effective_at <= change.latest.effective_at:
        raise PublishRefused(
            [
                f"Version {change.latest.number} takes effect on {spoken(change.latest.effective_at)}: "
                "a later version must take effect after it. Withdraw it first to replace it sooner."
            ]
        )
    check_notice_period(
        school.trust, material=material, effective_at=effective_at, urgent_reason=urgent_reason, now=now
    )
    return effective_at


def not_past(effective_at, *, now):
    """`effective_at` (None: now), refused if it is in the past."""
    if effective_at is not None and effective_at < now - EFFECTIVE_GRACE:
        raise PublishRefused(["The date it takes effect is in the past: choose now or a later date."])
    return max(effective_at or now, now)


def check_notice_period(trust, *, material, effective_at, urgent_reason, now):
    """TooSoon for a material change taking effect within the trust's notice period without an urgent reason."""
    days = trust.min_notice_days
    earliest = now + datetime.timedelta(days=days)
    if material and effective_at < earliest - EFFECTIVE_GRACE and not (urgent_reason or "").strip():
        raise TooSoon(
            [
                f"This is a material change, and {trust.name} tells families {days} days before one takes "
                f"effect: choose {spoken(earliest)} or later. To make it take effect sooner, mark it urgent and say "
                "why (for example a legal duty that starts sooner); the reason is recorded."
            ]
        )


@transaction.atomic
def _publish(notice, school, user, summary, material, force, base_number, base_hash, effective_at, urgent_reason):
    summary = (summary or "").strip()
    urgent_reason = (urgent_reason or "").strip()
    if not summary:
        raise PublishRefused(["Say what changed in this version: the summary is shown to parents."])
    # Lock the notice row: concurrent publishes of one notice queue here, and
    # each then sees the versions committed before it, so numbers have no gaps
    # and the same content is never published twice.
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    school = fresh_school(school)  # trust and school details as they are now, not as a cache had them
    change = pending_change(notice, school=school)
    if base_number is not None and base_number != change.latest_number:
        raise BaseMoved(
            [f"Version {change.latest_number} was published after you opened this page. Review the changes again."]
        )
    if base_hash is not None and base_hash != change.document_hash:
        raise BaseMoved(["The draft changed after you reviewed it. Review the changes again before publishing."])
    if not change.has_changes:
        raise NothingToPublish(
            [f"Nothing to publish: the draft reads the same as version {change.latest.number}, the latest."]
        )
    unresolved = conflicts(notice)
    if unresolved:
        raise HasConflicts(
            [
                f"Resolve the conflicts with the trust's template first ({len(unresolved)}: "
                + ", ".join(c.label for c in unresolved)
                + "): the trust changed items this school replaced or hid."
            ]
        )
    document = change.document
    problems = failures(document)
    never = [f for f in problems if f.item in NEVER_FORCED]
    if never or (problems and not force):
        raise PublishRefused(f"{f.item}. {f.title}: {f.message}" for f in (never or problems))
    published_at = timezone.now()
    effective_at = check_effective(
        change,
        school=school,
        material=material,
        effective_at=effective_at,
        urgent_reason=urgent_reason,
        now=published_at,
    )
    # Kept only where it shortened the notice period: the one place it means something.
    shortened = material and effective_at < published_at + datetime.timedelta(days=school.trust.min_notice_days)
    urgent_reason = urgent_reason if shortened and change.latest is not None else ""

    number = change.latest_number + 1
    pdf_bytes = render_pdf(
        document,
        version_number=number,
        published_on=timezone.localdate(published_at),
        effective_at=timezone.localtime(effective_at),
    )
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
        effective_at=effective_at,
        urgent_reason=urgent_reason,
    )
    created = store_pdf(version, pdf_bytes)
    try:
        version.save()
    except BaseException:
        if created:
            version.pdf.storage.delete(version.pdf.name)
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
        effective_at=effective_at.isoformat(),
        **({"urgent_reason": urgent_reason} if urgent_reason else {}),
    )
    events.version_published(school, version, previous=change.latest.number if change.latest else None)
    after_publish(connection.schema_name)
    return version


def store_pdf(version, pdf_bytes):
    """Write the version's PDF under its identity (notice id, number, hash); True if this call created the file.

    The name can only be taken already by a publish of the same number that
    rolled back, with the same bytes (the hash is in the name): that file is
    reused. Nothing here ever deletes or overwrites a file.
    """
    storage = version.pdf.storage
    path = version.pdf.field.generate_filename(version, "")
    if storage.exists(path):
        with storage.open(path, "rb") as existing:
            if hashlib.sha256(existing.read()).hexdigest() != version.pdf_sha256:
                raise RuntimeError(f"{path} exists with other content; refusing to overwrite it")
        version.pdf.name = path
        return False
    saved = storage.save(path, ContentFile(pdf_bytes))
    if saved != path:
        storage.delete(saved)
        raise RuntimeError(f"{path} appeared while publishing; refusing to write beside it")
    version.pdf.name = saved
    return True


def after_publish(schema_name):
    """What follows a publish once it is committed: retire the school's cached pages (logged, never raised)."""
    page_cache.forget_pages(schema_name)


@transaction.atomic
def revert_notice(notice, version, *, user):
    """Load `version`'s content into the draft. Nothing published is touched.

    Rows keep their identity (uid), so the history of each row shows the
    revert as one more change, and the next publish diffs cleanly.
    """
    if version.notice_id != notice.pk:
        raise ValueError("That version belongs to another notice.")
    if version.redacted_at is not None:
        raise PublishRefused([f"Version {version.number} was redacted; its content is gone."])
    reason = f"Reverted to version {version.number}"
    notice = apply_document(notice, NoticeDocument.from_dict(version.document), user=user, reason=reason)
    if notice.follows_id:
        # Inherited items read as the trust's latest release says, not as they did then.
        sync_notice(notice, latest_release(notice.follows), user=user, reason=reason)
    audit.record(audit.Action.REVERT, actor=user, school=current_school(), notice=notice.slug, version=version.number)
    return notice
