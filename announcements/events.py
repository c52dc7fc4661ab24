"""Recording events: called by the acts they report, inside the act's own transaction (the outbox).

publishing.publish_notice calls version_published and withdrawal.withdraw_version
calls version_withdrawn; nothing else writes events. The worker sends them on
(announcements.pump), so an event is never sent for an act that rolled back,
and never lost for one that committed.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from announcements.models import Event
from tenants.links import portal_link, school_link


def _path(name, **kwargs):
    return reverse(name, urlconf=settings.ROOT_URLCONF, kwargs=kwargs)


def links(school, slug, number, previous):
    """The public addresses an announcement points to; `changes` compares with `previous` (None: no diff)."""
    return {
        "version": school_link(school, _path("version_detail", slug=slug, number=number)),
        "current": school_link(school, _path("notice_current", slug=slug)),
        "pdf": school_link(school, _path("version_pdf", slug=slug, number=number)),
        "changes": school_link(school, _path("changes", slug=slug, old=previous, new=number)) if previous else None,
        "feed": school_link(school, _path("notice_feed", slug=slug)),
        "subscribe": school_link(school, _path("subscribe", slug=slug)),
        "console": portal_link(reverse("console", urlconf=settings.PUBLIC_SCHEMA_URLCONF, args=[school.trust.slug])),
    }


def _where(school, document):
    """Whose event it is: the trust and the school, with the school's name as the version's document has it."""
    return {
        "trust": {"slug": school.trust.slug, "name": school.trust.name},
        "school": {
            "slug": school.slug,
            "name": document["school"]["name"] if document else school.name,
            "urn": school.urn,
        },
    }


def payload(school, version, *, previous):
    """What a webhook receives as `data` and what the emails and the ready-to-paste text are made from.

    Taken from the frozen version, never a draft: the same words parents read.
    """
    document = version.document
    return {
        **_where(school, document),
        "notice": {"slug": document["slug"], "title": document["title"]},
        "version": version.number,
        "previous_version": previous,
        "published_at": version.published_at.isoformat(),
        "effective_at": version.effective_at.isoformat(),
        "material": version.material,
        "urgent_reason": version.urgent_reason,
        "summary": version.summary,
        "urls": links(school, document["slug"], version.number, previous),
    }


def version_published(school, version, *, previous):
    """A version was published: announce it now, and, if it takes effect later, again when it comes into force."""
    data = payload(school, version, previous=previous)
    common = {
        "trust_id": school.trust_id,
        "school": school,
        "notice_slug": version.notice.slug,
        "version_number": version.number,
        "material": version.material,
        "payload": data,
    }
    Event.objects.create(kind=Event.Kind.PUBLISHED, due_at=version.published_at, **common)
    if version.effective_at > version.published_at:
        Event.objects.create(kind=Event.Kind.IN_FORCE, due_at=version.effective_at, **common)


def version_withdrawn(school, version, *, reason):
    """A version was withdrawn: its coming-into-force is cancelled if it had not come yet, and that is announced.

    The announcement carries no content of the version (it may have been withdrawn for what it said).
    """
    now = timezone.now()
    Event.objects.filter(
        school=school,
        notice_slug=version.notice.slug,
        version_number=version.number,
        kind=Event.Kind.IN_FORCE,
        status=Event.Status.WAITING,
    ).update(status=Event.Status.CANCELLED, processed_at=now)
    Event.objects.create(
        kind=Event.Kind.WITHDRAWN,
        trust_id=school.trust_id,
        school=school,
        notice_slug=version.notice.slug,
        version_number=version.number,
        material=version.material,
        due_at=now,
        payload={
            **_where(school, None),
            "notice": {"slug": version.notice.slug},
            "version": version.number,
            "material": version.material,
            "withdrawn_at": now.isoformat(),
            "was_in_force": version.effective_at <= now,
            "reason": reason,
            "urls": {"current": school_link(school, _path("notice_current", slug=version.notice.slug))},
        },
    )
