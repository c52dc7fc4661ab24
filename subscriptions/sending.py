"""Emailing a school's subscribers about an event (announcements.pump calls both, in the event's school schema).

queue_emails writes one EmailDelivery per confirmed subscriber, in the pump's
transaction; the unique (subscriber, event) pair makes a second call add
nobody. send_batch then sends them, exactly once each:

- Each delivery is claimed, sent and marked sent in one transaction of its
  own, holding the row with SELECT ... FOR UPDATE SKIP LOCKED, so two workers
  never take the same row, and one killed mid-send (before the mail server
  accepted the message) rolls back: the row is still pending and the next
  worker sends it, once.
- The one window: a worker that dies after the mail server accepted a message
  and before its COMMIT reached the database leaves the row pending, and that
  subscriber gets the message a second time. SMTP and the database cannot
  commit together, so this cannot be closed, only kept short (the commit
  follows the server's answer at once); the repeat carries the same
  Message-ID, so a mail client can recognise it as the same message.

A refused or failed send (any SMTP answer but success, a lost connection)
counts an attempt, records the error and waits RETRY_SECONDS * 2**(attempts - 1) before
the next; after SUBSCRIPTION_MAX_ATTEMPTS the delivery is failed. A failure
also ends the batch (the next pass goes on with the others). A subscriber
who unsubscribed meanwhile, or a version withdrawn meanwhile, is skipped;
those who were told of a change that is then withdrawn before it takes effect
are told it will not go ahead.
"""

import datetime
import logging
import smtplib

from django.conf import settings
from django.core.mail import mailers
from django.db import transaction
from django.utils import timezone

from announcements import wording
from notices.models import NoticeVersion, Withdrawal
from subscriptions import mail
from subscriptions.models import EmailDelivery, Subscriber

logger = logging.getLogger(__name__)

# The first retry waits five minutes, then 10, 20, 40, 80: about two and a half hours of mail server trouble.
RETRY_SECONDS = 300
# announcements.models.Event.Kind: subscriptions is a school's app and reads the public one's events by value.
PUBLISHED, IN_FORCE, WITHDRAWN = "version.published", "version.in_force", "version.withdrawn"
Status = EmailDelivery.Status


def queue_emails(event):
    """One pending delivery per confirmed subscriber the event concerns; returns how many are pending.

    An announcement goes to every confirmed subscriber of the notice; the news
    that an announced change will not go ahead only to those who were sent its
    announcement.
    """
    version = NoticeVersion.objects.filter(notice__slug=event.notice_slug, number=event.version_number).first()
    if version is not None:
        subscribers = Subscriber.objects.filter(
            notice_id=version.notice_id, confirmed_at__isnull=False, unsubscribed_at__isnull=True
        )
        if event.kind == WITHDRAWN:
            told = EmailDelivery.objects.filter(version=version, kind=PUBLISHED, status=Status.SENT)
            subscribers = subscribers.filter(pk__in=told.values("subscriber_id"))
        subscribers = subscribers.order_by("pk").values_list("pk", flat=True)
        EmailDelivery.objects.bulk_create(
            (
                EmailDelivery(subscriber_id=pk, version=version, event_uid=event.uid, kind=event.kind)
                for pk in subscribers.iterator()
            ),
            ignore_conflicts=True,
            batch_size=1000,
        )
    return _pending(event).count()


def _pending(event):
    return EmailDelivery.objects.filter(event_uid=event.uid, status=Status.PENDING)


def send_batch(event, limit=50):
    """Send up to `limit` of the event's due emails over one SMTP connection; returns (sent, still pending)."""
    if event.kind != WITHDRAWN and _withdrawn(event):
        _pending(event).update(status=Status.SKIPPED, last_error="The version was withdrawn before this was sent.")
        return 0, 0
    if event.kind == WITHDRAWN:
        announcement = wording.called_off(event.payload)
    else:
        announcement = wording.announcement(event.payload, in_force=event.kind == IN_FORCE)
    if announcement is None:  # a wording fix: never announced (the pump does not queue these)
        _pending(event).update(status=Status.SKIPPED, last_error="A wording fix: families are not emailed.")
        return 0, 0
    sent = 0
    connection = mailers.default
    try:
        for _ in range(limit):
            outcome = _send_next(event, announcement, connection)
            sent += outcome == Status.SENT
            # None: nothing more is due. A failure ends the batch too: with the mail server down, every other
            # message would fail as well (each waiting out its connection timeout); the next pass tries again.
            if outcome not in (Status.SENT, Status.SKIPPED):
                break
    finally:
        _close(connection)
    return sent, _pending(event).count()


def _withdrawn(event):
    return Withdrawal.objects.filter(
        version__notice__slug=event.notice_slug, version__number=event.version_number
    ).exists()


@transaction.atomic
def _send_next(event, announcement, connection):
    """Claim, send and record the next due delivery; returns its new status, or None if none is due."""
    now = timezone.now()
    delivery = (
        _pending(event)
        .filter(next_attempt_at__lte=now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("subscriber")
        .order_by("pk")
        .first()
    )
    if delivery is None:
        return None
    if delivery.subscriber.unsubscribed_at is not None:
        delivery.status, delivery.last_error = Status.SKIPPED, "Unsubscribed before it was sent."
    else:
        message = mail.announcement_message(event.school, delivery, announcement)
        try:
            connection.open()
            connection.send_messages([message])
        except (smtplib.SMTPException, OSError, ValueError) as exc:  # ValueError: an address SMTP cannot take
            _failed(delivery, exc, now)
            _close(connection)  # whatever state the conversation is in, the next message starts a new one
        else:
            delivery.status, delivery.sent_at = Status.SENT, now
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "last_error", "sent_at"])
    return delivery.status


def _failed(delivery, exc, now):
    delivery.attempts += 1
    delivery.last_error = f"{type(exc).__name__}: {exc}"[:1000]
    if delivery.attempts >= settings.SUBSCRIPTION_MAX_ATTEMPTS:
        delivery.status = Status.FAILED
        logger.warning("Email delivery %s failed after %s attempts: %s", delivery.pk, delivery.attempts, exc)
    else:
        delivery.next_attempt_at = now + datetime.timedelta(seconds=RETRY_SECONDS * 2 ** (delivery.attempts - 1))


def _close(connection):
    try:
        connection.close()
    except (smtplib.SMTPException, OSError):
        pass  # a connection that is already broken is closed enough
