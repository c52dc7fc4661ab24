"""The acts on a subscription: subscribe, confirm, unsubscribe, and deleting addresses never confirmed.

Every act runs in the active school's schema; the views, the worker and the
management command call these and nothing else writes a Subscriber.

subscribe() answers nothing, and does the same visible thing whatever the
address's state, so the form cannot tell anyone whether an address is
subscribed:

- a new address is stored unconfirmed and sent a confirmation link;
- an unconfirmed address is sent a new link (and its window starts again);
- a confirmed address is sent nothing. A "you are already subscribed" note
  would let anyone make the portal email a family as often as the rate limit
  allows, and tells them nothing they need: the page after the form says that
  nothing more is sent to an address that is already subscribed.

The confirmation is not sent during the request but queued as a task for the
background worker (subscriptions.tasks), in the request's transaction: a
request that sends mail would take longer for new and unconfirmed addresses
than for confirmed ones, which would tell the address's state by the clock,
and a slow or unreachable mail server would slow or break the form.

Requests over the rate limits (per address and per client address, per
school) get the same page and send nothing, and are logged without the address.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_tenants.utils import tenant_context

from notices.publishing import current_school
from subscriptions import tasks, tokens
from subscriptions.models import EmailDelivery, Subscriber
from tenants.models import School

logger = logging.getLogger(__name__)


def normalise(email):
    """One spelling per address: mail providers treat addresses case-insensitively in practice (as logins do)."""
    return email.strip().lower()


def _over(key, limit):
    """Count one request under `key` in this window; True once more than `limit` were counted.

    The cache's KEY_FUNCTION prefixes the active schema, so counts are per school.
    """
    window = settings.SUBSCRIPTION_RATE_WINDOW_SECONDS
    if cache.add(key, 1, timeout=window):
        return limit < 1
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return False


def _within_limits(email, ip):
    # The address is kept in the cache as an HMAC only, never in the clear.
    address = salted_hmac("subscriptions.rate", email, algorithm="sha256").hexdigest()
    over_address = _over(f"subscribe-rate:address:{address}", settings.SUBSCRIPTION_RATE_PER_ADDRESS)
    over_ip = _over(f"subscribe-rate:ip:{ip or 'unknown'}", settings.SUBSCRIPTION_RATE_PER_IP)
    if over_address or over_ip:
        logger.warning("Subscribe request over the rate limit (%s); nothing sent.", "address" if over_address else "ip")
        return False
    return True


def subscribe(notice, email, *, ip):
    """Ask for emails about `notice` to `email` (double opt-in). Returns None whatever happened: see the module."""
    email = normalise(email)
    now = timezone.now()
    purge_unconfirmed(now)
    if not _within_limits(email, ip):
        return None
    school = current_school()
    with transaction.atomic():
        subscriber = _live(notice, email) or _create(notice, email, now)
        if subscriber is None or subscriber.confirmed_at is not None:
            return None
        if subscriber.created_at != now:
            Subscriber.objects.filter(pk=subscriber.pk).update(created_at=now)
        tasks.send_confirmation.enqueue(school.pk, subscriber.pk)
    return None


def _live(notice, email):
    return (
        Subscriber.objects.select_for_update().filter(notice=notice, email=email, unsubscribed_at__isnull=True).first()
    )


def _create(notice, email, now):
    try:
        with transaction.atomic():
            return Subscriber.objects.create(notice=notice, email=email, created_at=now)
    except IntegrityError:  # the same address, asked for at the same moment by another request, which committed
        return _live(notice, email)


def confirm(subscriber):
    """The family pressed the button in the confirmation link: from now on they are emailed. Idempotent."""
    Subscriber.objects.filter(pk=subscriber.pk, confirmed_at__isnull=True, unsubscribed_at__isnull=True).update(
        confirmed_at=timezone.now()
    )


@transaction.atomic
def unsubscribe(subscriber):
    """No more emails: the address is erased (only the times are kept) and nothing waiting for it is sent. Idempotent.

    A message already being sent holds its delivery's row lock, so the skip
    below waits for it: it is either sent, or skipped, never both.
    """
    now = timezone.now()
    Subscriber.objects.filter(pk=subscriber.pk, unsubscribed_at__isnull=True).update(unsubscribed_at=now, email="")
    EmailDelivery.objects.filter(subscriber_id=subscriber.pk, status=EmailDelivery.Status.PENDING).update(
        status=EmailDelivery.Status.SKIPPED, last_error="Unsubscribed before it was sent."
    )


def purge_unconfirmed(now=None):
    """Delete the active school's addresses never confirmed within the confirmation window. Returns how many."""
    cutoff = (now or timezone.now()) - tokens.confirm_window()
    _, deleted = Subscriber.objects.filter(
        confirmed_at__isnull=True, unsubscribed_at__isnull=True, created_at__lt=cutoff
    ).delete()
    return deleted.get(Subscriber._meta.label, 0)


def purge_every_school(now=None):
    """purge_unconfirmed in every school's schema (the worker does it hourly; manage.py purge_subscriptions too)."""
    now = now or timezone.now()
    total = 0
    for school in School.objects.order_by("pk"):
        with tenant_context(school):
            total += purge_unconfirmed(now)
    return total
