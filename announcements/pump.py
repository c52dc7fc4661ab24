"""The worker's share of announcements: run_once is called by run_worker between task batches.

Each step claims its rows with SELECT ... FOR UPDATE SKIP LOCKED, so any number
of workers can pump at once and a row is handled by one of them; a worker that
dies mid-step loses its locks with its connection, and the next pass takes the
rows up again.
"""

import logging
import time

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from announcements.models import Event
from announcements.webhooks import delivery as webhooks
from subscriptions import sending
from subscriptions.acts import purge_every_school

logger = logging.getLogger(__name__)


def emails_families(event):
    """Families are emailed about material versions only: when published, (if the trust asks) in force, and when an
    announced change is withdrawn before it takes effect (only those who were told of it: subscriptions.sending)."""
    if not event.material:
        return False
    if event.kind == Event.Kind.PUBLISHED:
        return True
    if event.kind == Event.Kind.WITHDRAWN:
        return not event.payload["was_in_force"]
    return event.kind == Event.Kind.IN_FORCE and event.trust.email_when_in_force


def fan_out_due(*, now=None, limit=50):
    """Hand each due event to the trust's webhooks and, if families are emailed, to the school's subscribers."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Event.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("trust", "school")
            .filter(status=Event.Status.WAITING, due_at__lte=now)[:limit]
        )
        for event in due:
            webhooks.enqueue(event)
            queued = 0
            if emails_families(event):
                with tenant_context(event.school):
                    queued = sending.queue_emails(event)
            event.status = Event.Status.SENDING if queued else Event.Status.DONE
            event.processed_at = None if queued else now
            event.save(update_fields=["status", "processed_at"])
    return len(due)


def send_emails(*, limit=50):
    """Send the next emails of every event that is sending; an event is done once none is left to send."""
    sent = 0
    events = Event.objects.select_related("trust", "school").filter(status=Event.Status.SENDING)
    for event in events:
        with tenant_context(event.school):
            done, remaining = sending.send_batch(event, limit=limit)
        sent += done
        if remaining == 0:
            Event.objects.filter(pk=event.pk, status=Event.Status.SENDING).update(
                status=Event.Status.DONE, processed_at=timezone.now()
            )
    return sent


# Addresses never confirmed are deleted within this long of their window ending (subscriptions.acts).
PURGE_EVERY_SECONDS = 3600
_last_purge = None


def purge_if_due():
    """Delete unconfirmed addresses in every school, at most once per PURGE_EVERY_SECONDS in this process."""
    global _last_purge
    if _last_purge is not None and time.monotonic() - _last_purge < PURGE_EVERY_SECONDS:
        return
    _last_purge = time.monotonic()
    deleted = purge_every_school()
    if deleted:
        logger.info("Deleted %s unconfirmed subscription address(es).", deleted)


def run_once(*, limit=50):
    """One pass: due events out, a batch of emails per sending event, due webhook attempts. Returns work done."""
    purge_if_due()
    return fan_out_due(limit=limit) + send_emails(limit=limit) + webhooks.deliver_due(limit=limit)
