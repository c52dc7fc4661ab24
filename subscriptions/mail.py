"""The two emails a family receives: the confirmation of their address, and the announcement of a version.

Plain text only. Every announcement carries the RFC 8058 one-click unsubscribe
headers and the same link in its text, and a Message-ID made from the
delivery's id and the school's host, so a copy sent twice (the one window
subscriptions.sending names) is the same message to the recipient's mail client.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from subscriptions import tokens
from tenants.links import school_host, school_link


def _link(school, name, **kwargs):
    return school_link(school, reverse(name, urlconf=settings.ROOT_URLCONF, kwargs=kwargs))


def unsubscribe_link(school, subscriber):
    return _link(school, "unsubscribe", token=tokens.unsubscribe_token(subscriber))


def confirmation_message(school, subscriber, *, title):
    """The double opt-in email: one link, to a page with the button that confirms."""
    context = {
        "school_name": school.name,
        "title": title,
        "confirm_url": _link(school, "subscription_confirm", token=tokens.confirm_token(subscriber)),
        "privacy_url": _link(school, "subscriber_privacy"),
        "days": settings.SUBSCRIPTION_CONFIRM_DAYS,
    }
    return EmailMessage(
        subject=f"{school.name}: confirm you want emails when its privacy notice changes",
        body=render_to_string("subscriptions/confirmation_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscriber.email],
    )


def announcement_message(school, delivery, announcement):
    """One announcement (announcements.wording) to one subscriber, with its unsubscribe link and headers."""
    unsubscribe = unsubscribe_link(school, delivery.subscriber)
    context = {
        "text": announcement.email_text,
        "unsubscribe_url": unsubscribe,
        "privacy_url": _link(school, "subscriber_privacy"),
    }
    return EmailMessage(
        subject=announcement.subject,
        body=render_to_string("subscriptions/announcement_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.subscriber.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": f"<announcement-{delivery.pk}@{school_host(school)}>",
        },
    )
