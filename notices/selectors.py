"""Reads of published versions. Public views see frozen versions only, never a draft row.

The notice row is used for one thing: to find its versions from the slug in
the address (a slug is fixed once a version exists). Titles, names and every
other word on a public page come from a version's frozen document.

A version is in force from its effective_at; before that it is upcoming. The
current version is the highest-numbered one in force that was not withdrawn,
decided at each read from the clock, so a version becomes current at its time
with nothing run then. Cached pages last until the school's next such moment
(next_switch), never past it.
"""

from django.db.models import Min, Prefetch
from django.http import Http404
from django.utils import timezone

from notices.models import Notice, NoticeVersion, Withdrawal


class Gone(Exception):
    """A version, or every version of a notice, was withdrawn: the page answers 410 with the record."""

    def __init__(self, version, withdrawal, current=None):
        self.version, self.withdrawal, self.current = version, withdrawal, current


def _withdrawals():
    return Prefetch("withdrawals", queryset=Withdrawal.objects.order_by("at"))


def _up():
    return NoticeVersion.objects.filter(withdrawals__isnull=True)


def current_version(notice, *, now=None):
    """The version parents see now: the highest-numbered one in force and not withdrawn. None if there is none."""
    return (
        _up()
        .filter(notice=notice, effective_at__lte=now or timezone.now())
        .order_by("-number")
        .prefetch_related(_withdrawals())
        .first()
    )


def latest_version(notice):
    """The highest-numbered version not withdrawn, in force or upcoming: what the draft is compared with."""
    return _up().filter(notice=notice).order_by("-number").prefetch_related(_withdrawals()).first()


def upcoming_versions(notice_id, *, now=None):
    """The versions published to take effect later (not withdrawn), soonest first."""
    return list(_up().filter(notice_id=notice_id, effective_at__gt=now or timezone.now()).order_by("number"))


def next_switch(*, now=None):
    """The next moment a version of this school comes into force (None if none is due): cached pages end then."""
    return _up().filter(effective_at__gt=now or timezone.now()).aggregate(at=Min("effective_at"))["at"]


def withdrawal_of(version):
    """The withdrawal that took `version` down (a redaction if there is one), or None. Uses prefetched rows."""
    rows = list(version.withdrawals.all())
    redactions = [w for w in rows if w.redacted]
    return (redactions or rows or [None])[0]


def published_notices(*, now=None):
    """The current version of every notice that has one, by its document's title."""
    current = (
        _up()
        .filter(effective_at__lte=now or timezone.now())
        .order_by("notice_id", "-number")
        .distinct("notice_id")
        .select_related("notice")
        .only("notice__slug", "number", "published_at", "effective_at", "document")
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
        # Every version was withdrawn (a first version is always in force when published).
        latest = NoticeVersion.objects.filter(notice=notice).prefetch_related(_withdrawals()).order_by("-number")[0]
        raise Gone(latest, withdrawal_of(latest))
    version.upcoming = upcoming_versions(notice.pk)
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

    Each has `.withdrawal` (None, or the record), `.is_current`, `.is_upcoming`, and
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
    now = timezone.now()
    previous = None
    for version in versions:
        version.withdrawal = withdrawal_of(version)
        version.previous, version.is_current = previous, False
        version.is_upcoming = version.withdrawal is None and version.effective_at > now
        if version.withdrawal is None:
            previous = version.number
    in_force = [v for v in versions if v.withdrawal is None and not v.is_upcoming]
    if in_force:
        in_force[-1].is_current = True
    return versions[::-1]


def previous_number(version):
    """The latest version before `version` that is still up, to compare with; None if there is none."""
    return (
        NoticeVersion.objects.filter(notice_id=version.notice_id, number__lt=version.number, withdrawals__isnull=True)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
