"""Reads for the public pages. Public views see published versions only, never the draft."""

from django.http import Http404

from notices.models import Notice, NoticeVersion


class NotYetPublished(Exception):
    """The notice exists but has no published version."""

    def __init__(self, notice):
        self.notice = notice


def published_notices():
    """(notice, latest version) for every notice with at least one version."""
    latest = (
        NoticeVersion.objects.select_related("notice")
        .order_by("notice_id", "-number")
        .distinct("notice_id")
        .defer("document", "html")
    )
    return sorted(((v.notice, v) for v in latest), key=lambda pair: pair[0].title)


def get_notice(slug):
    try:
        return Notice.objects.get(slug=slug)
    except Notice.DoesNotExist:
        raise Http404("There is no notice at this address.") from None


def get_current_version(slug):
    notice = get_notice(slug)
    version = NoticeVersion.objects.filter(notice=notice).order_by("-number").first()
    if version is None:
        raise NotYetPublished(notice)
    return version


def get_version(slug, number):
    try:
        return NoticeVersion.objects.select_related("notice").get(notice__slug=slug, number=number)
    except NoticeVersion.DoesNotExist:
        raise Http404("There is no such version of this notice.") from None


def list_versions(slug):
    notice = get_notice(slug)
    versions = list(NoticeVersion.objects.filter(notice=notice).order_by("-number").defer("document", "html"))
    if not versions:
        raise NotYetPublished(notice)
    return notice, versions
