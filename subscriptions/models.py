"""Families who asked to be emailed when a notice changes (school schema).

Only what the service needs is kept: the address, the notice, when it was
asked for, confirmed and unsubscribed (templates/subscriptions/privacy.html
says so to subscribers). Unconfirmed addresses are deleted after
SUBSCRIPTION_CONFIRM_DAYS; unsubscribed ones keep only the times, the address is erased.
"""

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from notices.models import Notice, NoticeVersion


class Subscriber(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="+")
    # Lower-case (subscriptions.acts.normalise); erased ("") when unsubscribed.
    email = models.EmailField(blank=True)
    # When it was last asked for: a repeated request for an unconfirmed address restarts its confirmation window.
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "notice",
                condition=models.Q(unsubscribed_at__isnull=True),
                name="one_live_subscription_per_address_and_notice",
            )
        ]

    def __str__(self):
        return f"subscriber {self.pk}"


class EmailDelivery(models.Model):
    """One email about one event to one subscriber: the row that makes sending exactly-once."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed after every attempt"
        SKIPPED = "skipped", "Not sent: unsubscribed, or the version withdrawn, before it went"

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    version = models.ForeignKey(NoticeVersion, on_delete=models.PROTECT, related_name="+")
    # announcements.models.Event.uid (public schema; no key across schemas, see notices.models.school_history).
    event_uid = models.UUIDField()
    kind = models.CharField(max_length=30)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["event_uid", "status", "next_attempt_at"], name="email_delivery_due")]
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "event_uid"], name="one_email_per_subscriber_and_event")
        ]

    def __str__(self):
        return f"email {self.pk} ({self.status})"
