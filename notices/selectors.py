"""Reads of published versions. Public views see frozen versions only, never a draft row.

The notice row is used for one thing: to find its versions from the slug in
the address (a slug is fixed once a version exists). Titles, names and every
other word on a public page come from a version's frozen document.
"""

from django.db.models import Prefetch
from django.http import Http404

from notices.models import Notice, NoticeVersion, Withdrawal


class Gone(Exception):
    """A version, or every version of a notice, was withdrawn: the page answers 410 with the record."""

    def __init__(self, version, withdrawal, current=None):
        self.version, self.withdrawal, self.current = version, withdrawal, current


def _withdrawals():
    return Prefetch("withdrawals", queryset=Withdrawal.objects.order_by("at"))


def current_version(notice):
    """The version parents see now: the highest-numbered one that was not withdrawn. None if there is none."""
    return (
        NoticeVersion.objects.filter(notice=notice, withdrawals__isnull=True)
        .order_by("-number")
        .prefetch_related(_withdrawals())
        .first()
    )


def withdrawal_of(version):
    """The withdrawal that took `version` down (a redaction if there is one), or None. Uses prefetched rows."""
    rows = list(version.withdrawals.all())
    redactions = [w for w in rows if w.redacted]
    return (redactions or rows or [None])[0]


def published_notices():
    """(current version, its document's title) for every notice that has one, by title."""
    current = (
        NoticeVersion.objects.filter(withdrawals__isnull=True)
        .order_by("notice_id", "-number")
        .distinct("notice_id")
        .select_related("notice")
        .only("notice__slug", "number", "published_at", "document")
    )
    return sorted(current, key=lambda v: v.document["title"])


def _notice_with_versions(slug):
    try:
        notice = Notice.objects.only("pk", "slug").get(slug=slug)
    except Notice.DoesNotExist:
        raise Http404("There is no notice at this address.") from None
    if not NoticeVersion.objects.filter(notice=notice).exists():
        # Said exactly as for an address with no notice: an unpublished draft reveals nothing.
        raise Http404("There is no notice at this address.")
    return notice


def get_current_version(slug):
    notice = _notice_with_versions(slug)
    version = current_version(notice)
    if version is None:
        latest = NoticeVersion.objects.filter(notice=notice).prefetch_related(_withdrawals()).order_by("-number")[0]
        raise Gone(latest, withdrawal_of(latest))
    return version


def get_version(slug, number):
    """Version `number` of the notice at `slug`; Gone if it was withdrawn, with the current version to point to."""
    try:
        version = (
            NoticeVersion.objects.select_related("notice")
            .prefetch_related(_withdrawals())
            .get(notice__slug=slug, number=number)
        )
    except NoticeVersion.DoesNotExist:
        raise Http404("There is no such version of this notice.") from None
    withdrawal = withdrawal_of(version)
    if withdrawal is not None:
        raise Gone(version, withdrawal, current_version(version.notice))
    return version


def list_versions(slug):
    """Every version of the notice at `slug`, newest first.

    Each has `.withdrawal` (None, or the record), `.is_current`, and
    `.previous` (the number of the latest earlier version still up, to compare with, or None).
    """
    versions = list(
        NoticeVersion.objects.filter(notice__slug=slug)
        .select_related("notice")
        .order_by("number")
        .defer("html")
        .prefetch_related(_withdrawals())
    )
    if not versions:
        raise Http404("There is no notice at this address.")
    previous = None
    for version in versions:
        version.withdrawal = withdrawal_of(version)
        version.previous, version.is_current = previous, False
        if version.withdrawal is None:
            previous = version.number
    up = [v for v in versions if v.withdrawal is None]
    if up:
        up[-1].is_current = True
    return versions[::-1]


def previous_number(version):
    """The latest version before `version` that is still up, to compare with; None if there is none."""
    return (
        NoticeVersion.objects.filter(notice_id=version.notice_id, number__lt=version.number, withdrawals__isnull=True)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
