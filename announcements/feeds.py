"""Atom feeds of published versions: one per notice on its school's host, one per trust on the portal host.

Entries are made from frozen NoticeVersion rows only (the title and the
school's name from the version's document, as on its page), so a feed says
what parents read when the version was published. Withdrawn and redacted
versions are left out. Links are absolute (tenants.links), since feed readers
fetch and show entries away from the page.

The notice feed is one of the school's public pages: rendered once into the
school's page cache and retired with the rest of its pages on a publish or a
withdrawal, and when a version comes into force (its "upcoming" goes). The
trust feed reads every school of the trust, so it is kept in the default
cache for TRUST_FEED_SECONDS (less if a version comes into force sooner) and
may be that much behind.
"""

import math

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.dateformat import format as date_format
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.views.decorators.http import require_safe
from django_tenants.utils import tenant_context

from notices import cache as page_cache
from notices import selectors
from notices.models import NoticeVersion, Withdrawal
from notices.moments import spoken
from notices.views import chrome
from tenants.links import portal_link, school_link
from tenants.models import Trust

MAX_ENTRIES = 50
TRUST_FEED_SECONDS = 60
CONTENT_TYPE = Atom1Feed.content_type
# Tag URIs (RFC 4151) name entries by ids, never by a host or slug that can change: the same version has the same
# id in its notice's feed and in its trust's. The date is part of the scheme: the year the portal's names began.
_TAG = "tag:{authority},2026:{specific}"
# Bumped when the trust feed's cached entry changes shape, so a deploy never reads an entry the old code made.
_TRUST_ENTRY_FORMAT = 1


class _Feed(Atom1Feed):
    """Atom with the feed's <updated> given, not guessed from the entries: a withdrawal changes a feed too."""

    def latest_post_date(self):
        return self.feed["updated"]


def _tag(specific):
    return _TAG.format(authority=settings.PORTAL_DOMAIN, specific=specific)


def _school_path(name, **kwargs):
    return reverse(name, urlconf=settings.ROOT_URLCONF, kwargs=kwargs)


def _day(moment):
    return date_format(timezone.localtime(moment), "j F Y")


def _paragraph(label, text=""):
    # No full stop after the text: a moment may end in "p.m." (notices.moments.spoken).
    return (
        format_html("<p><strong>{}</strong> {}</p>", label, text)
        if text
        else format_html("<p><strong>{}</strong></p>", label)
    )


def _content(version, *, now, heading=None):
    """The entry's summary, as HTML made only from escaped text: what changed, the dates and the kind of change."""
    in_force = spoken(version.effective_at)
    if version.effective_at > now:
        in_force = f"{in_force} (upcoming: until then the version before it applies)"
    parts = [format_html("<p>{}</p>", heading)] if heading else []
    if version.material:
        parts.append(_paragraph("Material change:", "it changes how information is used."))
    else:
        parts.append(_paragraph("Wording fix:", "nothing about how information is used has changed."))
    parts.append(_paragraph("What changed:"))
    parts += [format_html("<p>{}</p>", line) for line in version.summary.splitlines() if line.strip()]
    parts.append(_paragraph("Published on", _day(version.published_at)))
    parts.append(_paragraph("In force from", in_force))
    if version.urgent_reason:
        parts.append(_paragraph("Why at short notice:", version.urgent_reason))
    return format_html_join("", "{}", ((part,) for part in parts))


def _add_entry(feed, school, base, version, *, now, with_school):
    document = version.document
    number = version.number
    first_line = Truncator(version.summary.strip().splitlines()[0]).chars(120)
    title = f"Version {number}: {first_line}"
    heading = None
    if with_school:
        heading = f"{document['school']['name']}: {document['title']}"
        title = f"{heading}, version {number}: {first_line}"
    feed.add_item(
        title=title,
        link=base + _school_path("version_detail", slug=version.notice.slug, number=number),
        description=_content(version, now=now, heading=heading),
        unique_id=_tag(f"school-{school.pk}/notice-{version.notice_id}/version-{number}"),
        pubdate=version.published_at,
        updateddate=version.published_at,
        author_name=document["controller"]["name"],
        categories=["material change" if version.material else "wording fix"],
    )


def _changed_at(versions, withdrawn_at):
    """When the feed last changed: a publish, a version coming into force (its "upcoming" goes), a withdrawal."""
    moments = [page_cache.last_changed(v) for v in versions]
    return max([*moments, withdrawn_at] if withdrawn_at else moments, default=None)


def _body(feed):
    return feed.writeString("utf-8").encode()


def _notice_feed_entry(school, slug):
    versions = selectors.list_versions(slug)  # newest first; the 404 for an unknown or draft-only notice
    shown = [v for v in versions if v.withdrawal is None and v.redacted_at is None][:MAX_ENTRIES]
    named = next((v for v in versions if v.redacted_at is None), None)
    names = chrome(named.document if named else None, school)
    now = timezone.now()
    withdrawn_at = max((v.withdrawal.at for v in versions if v.withdrawal is not None), default=None)
    # The school's host and port once for the whole feed (tenants.links looks the primary domain up).
    base = school_link(school, "")
    # Never None: a notice with versions has one still up or one withdrawn (a redaction withdraws too).
    updated = _changed_at(shown, withdrawn_at)
    feed = _Feed(
        title=f"{names['title']}: {names['school_name']}",
        link=base + _school_path("notice_current", slug=slug),
        feed_url=base + _school_path("notice_feed", slug=slug),
        description=f"Every version of this privacy notice that {names['school_name']} has published.",
        subtitle=f"Every version of this privacy notice that {names['school_name']} has published, newest first.",
        language="en-GB",
        author_name=names["trust_name"],
        feed_guid=_tag(f"school-{school.pk}/notice-{versions[0].notice_id}"),
        updated=updated,
    )
    for version in shown:
        _add_entry(feed, school, base, version, now=now, with_school=False)
    return page_cache.body_entry(_body(feed), updated, content_type=CONTENT_TYPE)


@require_safe
def notice_feed(request, slug):
    """The notice's versions as Atom, from the school's page cache like its other public pages."""
    entry = page_cache.cached_entry(request, lambda: _notice_feed_entry(request.tenant, slug))
    return page_cache.respond(request, entry)


def _school_part(school):
    """One school's share of its trust's feed, read in its own schema.

    Its newest versions still up, when that school's part last changed, and
    when its next version comes into force (selectors.next_switch, or None).
    """
    with tenant_context(school):
        versions = list(
            NoticeVersion.objects.filter(withdrawals__isnull=True, redacted_at__isnull=True)
            .select_related("notice")
            .defer("html")
            .order_by("-published_at", "-number")[:MAX_ENTRIES]
        )
        withdrawn_at = Withdrawal.objects.order_by("-at").values_list("at", flat=True).first()
        switch = selectors.next_switch()
    return versions, _changed_at(versions, withdrawn_at), switch


def _trust_feed_entry(trust, now):
    """The trust's feed, and how long it may be kept: at most until a version of one of its schools comes into force."""
    found, moments, switches = [], [], []
    for school in trust.schools.order_by("name"):
        versions, changed_at, switch = _school_part(school)
        base = school_link(school, "") if versions else ""
        found += [(version, school, base) for version in versions]
        moments += [changed_at] if changed_at else []
        switches += [switch] if switch else []
    found.sort(key=lambda item: (item[0].published_at, item[1].pk, item[0].number), reverse=True)
    # A trust whose schools published nothing yet has an empty feed, dated when it was first read.
    updated = max(moments, default=now)
    feed = _Feed(
        title=f"Privacy notices of {trust.name}'s schools",
        link=portal_link(reverse("directory", urlconf=settings.PUBLIC_SCHEMA_URLCONF)),
        feed_url=portal_link(reverse("trust_feed", urlconf=settings.PUBLIC_SCHEMA_URLCONF, args=[trust.slug])),
        description=f"Every version of the privacy notices that the schools of {trust.name} have published.",
        subtitle=f"Every version of the privacy notices that the schools of {trust.name} have published, newest first.",
        language="en-GB",
        author_name=trust.name,
        feed_guid=_tag(f"trust-{trust.pk}"),
        updated=updated,
    )
    for version, school, base in found[:MAX_ENTRIES]:
        _add_entry(feed, school, base, version, now=now, with_school=True)
    seconds = TRUST_FEED_SECONDS
    if switches:
        seconds = max(1, min(seconds, math.ceil((min(switches) - now).total_seconds())))
    return page_cache.body_entry(_body(feed), updated, content_type=CONTENT_TYPE), seconds


def _trust_feed_key(slug):
    return f"trust-feed:{_TRUST_ENTRY_FORMAT}:{slug}"


@require_safe
def trust_feed(request, slug):
    """Every school's versions of a trust as Atom. Public: trusts publish it for their websites and parents."""
    key = _trust_feed_key(slug)
    entry = cache.get(key)
    if entry is None:
        trust = get_object_or_404(Trust, slug=slug)
        entry, seconds = _trust_feed_entry(trust, timezone.now())
        cache.set(key, entry, seconds)
    return _respond_briefly(request, entry)


def _respond_briefly(request, entry):
    """A 200 or 304 for an entry the server keeps TRUST_FEED_SECONDS at most; others may keep it as long.

    Not notices.cache.respond: that marks the response for the school page
    memo, and the portal host has no school whose publishes would retire it.
    """
    headers = {
        "ETag": entry["etag"],
        "Cache-Control": f"public, max-age={TRUST_FEED_SECONDS}",
    }
    if entry["last_modified"]:
        headers["Last-Modified"] = entry["last_modified"]
    response = get_conditional_response(request, etag=entry["etag"], last_modified=entry["modified"])
    if response is None:
        response = HttpResponse(entry["body"], content_type=entry["content_type"])
    for name, value in headers.items():
        response[name] = value
    return response
