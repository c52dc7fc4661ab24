"""Background work for subscriptions (run by `manage.py run_worker`): sending the confirmation of an address.

Queued by acts.subscribe in the request's transaction, so the request never
waits for the mail server (see acts). A confirmation that cannot be sent is
not retried: the task fails, the address expires unconfirmed, and the family
can ask again.
"""

from django.core.mail import mailers
from django.tasks import task
from django_tenants.utils import tenant_context

from subscriptions import mail, selectors
from subscriptions.models import Subscriber
from tenants.models import School


@task
def send_confirmation(school_id: int, subscriber_id: int):
    school = School.objects.select_related("trust").get(pk=school_id)
    with tenant_context(school):
        subscriber = (
            Subscriber.objects.select_related("notice")
            .filter(pk=subscriber_id, confirmed_at__isnull=True, unsubscribed_at__isnull=True)
            .first()
        )
        if subscriber is None:  # confirmed, unsubscribed or expired since it was queued
            return
        message = mail.confirmation_message(school, subscriber, title=selectors.notice_title(subscriber.notice))
        mailers.default.send_messages([message])
