"""Rendered public pages, cached per school.

Keys go through django_tenants.cache.make_key, which prefixes the active
schema, so one school's entry can never answer for another. Versioned pages
never change and are cached without expiry; the pages that show "the current
version" are dropped by forget_notice when a new version is published.
"""

import hashlib

from django.core.cache import cache
from django.utils.http import http_date
from django_tenants.utils import schema_context


def page_key(*parts):
    return "page:" + ":".join(str(p) for p in parts)


def current_keys(notice_slug):
    """Every key whose content depends on which version is current."""
    return [
        page_key("home"),
        page_key("current", notice_slug),
        page_key("json", notice_slug),
        page_key("pdf", notice_slug),
        page_key("versions", notice_slug),
    ]


def forget_notice(schema_name, notice_slug):
    with schema_context(schema_name):
        cache.delete_many(current_keys(notice_slug))


def cached_entry(key, build):
    """The cached entry for `key`; on a miss `build()` makes it and it is stored without expiry."""
    entry = cache.get(key)
    if entry is None:
        entry = build()
        cache.set(key, entry, None)
    return entry


def body_entry(body: bytes, published_at):
    """A cache entry for a rendered body, with the validators for conditional GETs."""
    return {
        "body": body,
        "etag": f'"{hashlib.sha256(body).hexdigest()[:32]}"',
        "last_modified": http_date(published_at.timestamp()) if published_at else None,
    }
