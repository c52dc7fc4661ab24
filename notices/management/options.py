"""What the publishing commands share: turning --user into a publisher, and --effective into a moment."""

import argparse
import datetime

from django.core.management.base import CommandError
from django.utils import timezone

from tenants import access
from tenants.models import User


def publisher_option(email, trust):
    """The active publisher of `trust` named by --user; None without it (an operator publishes)."""
    if not email:
        return None
    publisher = User.objects.filter(email__iexact=email, is_active=True).first()
    if publisher is None:
        raise CommandError(f"No active account for {email}.")
    if not access.can_publish_trust(publisher, trust):
        raise CommandError(f"{email} is not a publisher of {trust.name}; only publishers may publish.")
    return publisher


def add_when_arguments(parser):
    parser.add_argument(
        "--effective",
        type=effective_option,
        help="When the version takes effect, in UK time: 2027-03-01 or 2027-03-01T09:00 (default: now).",
    )
    parser.add_argument(
        "--urgent-reason",
        default="",
        help="Why a material change takes effect before the trust's notice period is over (recorded).",
    )


def effective_option(value):
    """--effective as an aware moment; a naive one is UK time (settings.TIME_ZONE)."""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a date or date and time such as 2027-03-01T09:00, not {value!r}") from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
