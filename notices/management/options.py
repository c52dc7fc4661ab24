"""What the publishing commands share: turning --user into a publisher."""

from django.core.management.base import CommandError

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
