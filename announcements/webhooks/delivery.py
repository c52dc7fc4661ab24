"""Trusts' webhooks: setting one up, queuing events for it and delivering them, signed, with retries.

An event becomes one WebhookDelivery per active webhook of its trust, holding
the exact body signed and sent on every attempt (only the timestamp header
changes). The worker posts due deliveries one at a time, each in a transaction
that keeps the row locked (SKIP LOCKED lets other workers take the next one),
so a worker that dies mid-attempt loses its lock and the delivery stays due.
The receiver may then see the same message twice, with the same webhook-id;
docs/webhooks.md tells it to drop repeats.

Requests go out with http.client: no proxy, no redirects followed (a 3xx
counts as a failure: the trust gives its final address), a short timeout,
and a connection made to the addresses checked just before (addresses.check).
"""

import datetime
import http.client
import json
import socket
import ssl
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from announcements.models import Webhook, WebhookDelivery
from announcements.webhooks import addresses, signing
from tenants import audit

TEST_EVENT = "webhook.test"
# The wait before the second attempt; it doubles after each failure, never beyond the cap.
FIRST_RETRY = datetime.timedelta(seconds=30)
MAX_RETRY = datetime.timedelta(hours=1)
MAX_ERROR_LENGTH = 300
MAX_ACTIVE_PER_TRUST = 10
USER_AGENT = "TrustPrivacyPortal-Webhooks/1"

Status = WebhookDelivery.Status


def create_webhook(trust, url, *, by):
    """Set up a webhook for `trust` at `url` with a new secret; ValidationError if the address is refused."""
    addresses.validate(url)
    if trust.webhooks.filter(active=True).count() >= MAX_ACTIVE_PER_TRUST:
        raise ValidationError(f"A trust can have at most {MAX_ACTIVE_PER_TRUST} webhooks: disable one first.")
    with transaction.atomic():
        webhook = Webhook.objects.create(trust=trust, url=url, secret=signing.new_secret(), created_by=by)
        audit.record(audit.Action.WEBHOOK_ADDED, actor=by, trust=trust, webhook=webhook.pk, url=url)
    return webhook


def disable_webhook(webhook, *, by):
    """Stop sending to `webhook`: nothing more is queued for it, and what was waiting is cancelled."""
    with transaction.atomic():
        now = timezone.now()
        if Webhook.objects.filter(pk=webhook.pk, active=True).update(active=False, disabled_at=now, disabled_by=by):
            webhook.deliveries.filter(status=Status.PENDING).update(status=Status.CANCELLED)
            audit.record(
                audit.Action.WEBHOOK_DISABLED, actor=by, trust=webhook.trust, webhook=webhook.pk, url=webhook.url
            )
    webhook.refresh_from_db()
    return webhook


def _message_id():
    return f"msg_{uuid.uuid4().hex}"


def _body(kind, timestamp, data):
    return json.dumps({"type": kind, "timestamp": timestamp.isoformat(), "data": data}, ensure_ascii=False)


def enqueue(event):
    """Queue `event` for every active webhook of its trust; a second call for the same event adds nothing."""
    hooks = list(Webhook.objects.filter(trust_id=event.trust_id, active=True).values_list("pk", flat=True))
    if not hooks:
        return
    body = _body(event.kind, event.due_at, event.payload)
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(webhook_id=pk, event=event, message_id=_message_id(), event_type=event.kind, body=body)
            for pk in hooks
        ],
        # one_delivery_per_webhook_and_event: the rows of an earlier call stay as they are.
        ignore_conflicts=True,
    )


def enqueue_test(webhook):
    """Queue a small signed test event for `webhook`, sent by the worker like any other."""
    if not webhook.active:
        raise ValidationError("This webhook is disabled: it sends nothing, test events included.")
    trust = webhook.trust
    data = {
        "trust": {"slug": trust.slug, "name": trust.name},
        "webhook": webhook.pk,
        "message": "A test event from the Trust Privacy Portal. If you can verify its signature, you are ready.",
    }
    return WebhookDelivery.objects.create(
        webhook=webhook,
        message_id=_message_id(),
        event_type=TEST_EVENT,
        body=_body(TEST_EVENT, timezone.now(), data),
    )


def retry_delay(attempts):
    """How long to wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min, ... at most an hour."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), MAX_RETRY)


def deliver_due(limit=50):
    """Make up to `limit` attempts at due deliveries of active webhooks; returns how many were made."""
    made = 0
    while made < limit:
        with transaction.atomic():
            delivery = (
                WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("webhook")
                .filter(status=Status.PENDING, next_attempt_at__lte=timezone.now(), webhook__active=True)
                .order_by("next_attempt_at", "pk")
                .first()
            )
            if delivery is None:
                return made
            _attempt(delivery)
        made += 1
    return made


def _attempt(delivery):
    status_code, error = _post(delivery)
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_status_code = status_code
    if status_code is not None and 200 <= status_code < 300:
        delivery.status = Status.DELIVERED
        delivery.delivered_at = now
        delivery.last_error = ""
    else:
        delivery.last_error = _one_line(error)
        if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status = Status.FAILED
        else:
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    delivery.save(
        update_fields=["attempts", "status", "last_status_code", "last_error", "next_attempt_at", "delivered_at"]
    )


def _one_line(text):
    line = " ".join(str(text).split())
    return line if len(line) <= MAX_ERROR_LENGTH else line[: MAX_ERROR_LENGTH - 1] + "…"


def _post(delivery):
    """One attempt: (the receiver's status code or None, what went wrong or "")."""
    webhook = delivery.webhook
    try:
        target = addresses.check(webhook.url)
    except ValidationError as exc:
        return None, " ".join(exc.messages)
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signing.headers(webhook.secret, delivery.message_id, body),
    }
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    connection = _connection(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
    except TimeoutError:
        return None, f"No answer within {timeout} seconds."
    except (OSError, http.client.HTTPException) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()
    if 200 <= response.status < 300:
        return response.status, ""
    if 300 <= response.status < 400:
        return response.status, f"HTTP {response.status} {response.reason}: redirects are not followed."
    return response.status, f"HTTP {response.status} {response.reason}"


def _connection(target, timeout):
    if target.scheme == "https":
        connection = http.client.HTTPSConnection(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)

    # Connect to the addresses addresses.check approved, not to whatever a second DNS lookup says; the Host
    # header and the TLS certificate check still use the host name.
    def connect(_address, timeout, source_address=None):
        error = OSError("No address to connect to.")
        for address in target.addresses:
            try:
                return socket.create_connection((address, target.port), timeout, source_address)
            except OSError as exc:
                error = exc
        raise error

    connection._create_connection = connect
    return connection
