"""Ready for review: an editor who cannot publish asks the trust's publishers to review the draft and publish it.

The request is three fields on the notice and is never cleared: a version
published after it answers it (review_pending), so publishing needs no step of
its own, and a request cannot outlive the publish that settled it.
"""

import datetime
import logging
from dataclasses import dataclass
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notices.models import Notice
from notices.publishing import current_school, pending_change
from tenants import access, audit
from tenants.links import portal_link
from tenants.models import User

logger = logging.getLogger(__name__)


class ReviewRefused(Exception):
    """The review cannot be asked for; `problems` says why."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


@dataclass(frozen=True)
class ReviewRequest:
    at: datetime.datetime
    by: User | None
    note: str

    @property
    def asked_by(self):
        """The asker as the publishers know them."""
        if self.by is None:
            return "someone no longer known"
        return self.by.name or self.by.email


def review_pending(notice, latest_version) -> ReviewRequest | None:
    """The review asked for and not yet answered by a publish (`latest_version`, from pending_change), or None."""
    at = notice.review_requested_at
    if at is None or (latest_version is not None and latest_version.published_at >= at):
        return None
    return ReviewRequest(at=at, by=notice.review_requested_by, note=notice.review_note)


def request_review(notice, *, user, note="") -> ReviewRequest:
    """Mark the draft ready for review and email each active publisher of the school's trust once it is recorded.

    Any editor of the school, or a publisher, may ask; asking again replaces
    the note and emails again. Refused (ReviewRefused) when the draft reads
    the same as the live version: there is nothing to publish.
    """
    school = current_school()
    if not access.can_edit_school(user, school):
        raise ReviewRefused(["Only the school's editors and its trust's publishers can ask for a review."])
    change = pending_change(notice, school=school)
    if not change.has_changes:
        raise ReviewRefused(
            ["There is nothing to review: the draft reads the same as the live version. Change the draft first."]
        )
    request = ReviewRequest(at=timezone.now(), by=user, note=note.strip())
    with transaction.atomic():
        # An update, not save(): asking is not an edit of the notice, so it adds nothing to the draft's history.
        Notice.objects.filter(pk=notice.pk).update(
            review_requested_at=request.at, review_requested_by=user, review_note=request.note
        )
        audit.record(audit.Action.REVIEW_REQUESTED, actor=user, school=school, notice=notice.slug, note=request.note)
        recipients = list(
            User.objects.filter(
                is_active=True, memberships__role=access.PUBLISHER, memberships__trust_id=school.trust_id
            )
            .exclude(pk=user.pk)
            .distinct()
            .values_list("email", flat=True)
        )
        subject, body = _email(school, notice, request)
        transaction.on_commit(lambda: _send(subject, body, recipients))
    notice.review_requested_at, notice.review_requested_by, notice.review_note = request.at, user, request.note
    return request


def _email(school, notice, request):
    path = reverse(
        "console_publish",
        urlconf=settings.PUBLIC_SCHEMA_URLCONF,
        kwargs={"slug": school.trust.slug, "school_slug": school.slug, "notice_slug": notice.slug},
    )
    lines = [
        f"{request.asked_by} ({request.by.email}) has marked {school.name}'s {notice.title} ready for review.",
        "",
        f"Their note: {request.note}" if request.note else "They left no note.",
        "",
        "Check what changed and what the completeness check says, then publish it:",
        portal_link(path),
    ]
    return f"Ready for review: {school.name}, {notice.title}", "\n".join(lines) + "\n"


def _send(subject, body, recipients):
    # One message each: publishers of a trust need not see each other's addresses. A mail server that fails
    # loses only the email; the request is recorded and waits at the top of the trust console.
    for address in recipients:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        except (SMTPException, OSError):
            logger.exception("Could not email %s about a review request", address)
