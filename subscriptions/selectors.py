"""Reads for subscriptions: what the school admin may see (a count, never the addresses) and a notice's name."""

from notices import selectors as notice_selectors
from subscriptions.models import Subscriber


def confirmed_count(notice):
    """How many families are emailed about `notice`: confirmed and not unsubscribed. The DPL sees only this."""
    return Subscriber.objects.filter(notice=notice, confirmed_at__isnull=False, unsubscribed_at__isnull=True).count()


def notice_title(notice):
    """The notice's title as parents read it: from its current published version, the draft's only if none is up."""
    version = notice_selectors.current_version(notice)
    return version.document["title"] if version is not None else notice.title
