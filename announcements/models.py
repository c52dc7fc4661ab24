"""What the portal tells the outside world about versions (public schema).

An Event is written in the same transaction as the act it reports (publish,
withdraw), so an event exists exactly when its act committed: the outbox
pattern. The background worker (announcements.pump) takes each event once it
is due, hands it to the trust's webhooks and, for material versions, to the
school's email subscribers (subscriptions), and records when it was done.
"""

import uuid

from django.db import models
from django.utils import timezone

from tenants.models import School, Trust, User


class Event(models.Model):
    class Kind(models.TextChoices):
        PUBLISHED = "version.published", "A version was published"
        IN_FORCE = "version.in_force", "A version came into force"
        WITHDRAWN = "version.withdrawn", "A version was withdrawn"

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting until it is due"
        SENDING = "sending", "Emails being sent"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled (the version was withdrawn before it came into force)"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    notice_slug = models.SlugField(max_length=80)
    version_number = models.PositiveIntegerField()
    material = models.BooleanField()
    # What a webhook receives as "data", and what the email speaks of (announcements.events.payload).
    payload = models.JSONField()
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    created_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["status", "due_at"], name="event_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "notice_slug", "version_number", "kind"], name="one_event_per_version_and_kind"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.school_id}/{self.notice_slug} v{self.version_number}"


class Webhook(models.Model):
    """A trust's endpoint for events of all its schools, set up by its publishers in the console."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="webhooks")
    url = models.URLField("address", max_length=500)
    # Standard Webhooks: "whsec_" and the base64 of the key the receiver verifies signatures with.
    secret = models.CharField(max_length=100, editable=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Who set it up and when it was turned off: the console shows both (users are never deleted).
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    """One event (or test event) to one webhook, with its attempts."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed after every attempt"
        CANCELLED = "cancelled", "Not sent: the webhook was disabled"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    # None for a test event sent from the console.
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries")
    # The webhook-id header: the same on every attempt, so a receiver can drop a repeat.
    message_id = models.CharField(max_length=100, unique=True)
    event_type = models.CharField(max_length=30)
    body = models.TextField(help_text="The exact JSON sent, signed as it is.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]
        constraints = [models.UniqueConstraint(fields=["webhook", "event"], name="one_delivery_per_webhook_and_event")]

    def __str__(self):
        return f"{self.event_type} to webhook {self.webhook_id}: {self.status}"
