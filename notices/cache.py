"""Rendered public pages, cached per school and answered before most of Django runs.

Each public URL of a school has at most one entry, keyed by its path. Keys go
through django_tenants.cache.make_key, which prefixes the active schema, so one
school's entry can never answer for another. Versioned URLs never change and
are cached without expiry; the URLs that show "the current version" are
dropped by forget_notice when a new version is published.

The views fill the cache (cached_entry) and answer from it (respond);
CachedPageMiddleware answers repeat requests with the same respond(), skipping
sessions, authentication, CSRF, URL resolving and the view itself.
"""

import hashlib

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django_tenants.utils import schema_context

IMMUTABLE = {"public": True, "max_age": 31536000, "immutable": True}
REVALIDATE = {"public": True, "max_age": 0, "must_revalidate": True}


def page_key(path):
    return f"page:{path}"


def current_paths(notice_slug):
    """Every public path whose content depends on which version is current."""
    return [
        "/",
        f"/privacy/{notice_slug}/",
        f"/privacy/{notice_slug}.json",
        f"/privacy/{notice_slug}.pdf",
        f"/privacy/{notice_slug}/versions/",
    ]


def forget_notice(schema_name, notice_slug):
    with schema_context(schema_name):
        cache.delete_many([page_key(path) for path in current_paths(notice_slug)])


def cached_entry(path, build):
    """The entry for `path`; on a miss `build()` makes it and it is stored without expiry."""
    key = page_key(path)
    entry = cache.get(key)
    if entry is None:
        entry = build()
        cache.set(key, entry, None)
    return entry


def body_entry(body: bytes, published_at, *, content_type="text/html; charset=utf-8", immutable=False, headers=None):
    """An entry for a rendered body, with the validators for conditional GETs."""
    return {
        "body": body,
        "headers": headers or {},
        "content_type": content_type,
        "etag": f'"{hashlib.sha256(body).hexdigest()[:32]}"',
        "last_modified": http_date(published_at.timestamp()) if published_at else None,
        "immutable": immutable,
    }


def file_entry(version, *, immutable=False):
    """An entry for a version's PDF: streamed from storage, never rendered on a GET."""
    return {
        "file": version.pdf.name,
        "filename": version.pdf_filename,
        "content_type": "application/pdf",
        "etag": f'"{version.pdf_sha256[:32]}"',
        "last_modified": http_date(version.published_at.timestamp()),
        "immutable": immutable,
    }


def respond(request, entry):
    response = get_conditional_response(request, etag=entry["etag"], last_modified=entry["last_modified"])
    if response is None:
        if "file" in entry:
            response = FileResponse(
                default_storage.open(entry["file"], "rb"),
                as_attachment=True,
                filename=entry["filename"],
                content_type=entry["content_type"],
            )
        else:
            response = HttpResponse(entry["body"], content_type=entry["content_type"])
    for name, value in entry.get("headers", {}).items():
        response[name] = value
    response["ETag"] = entry["etag"]
    if entry["last_modified"]:
        response["Last-Modified"] = entry["last_modified"]
    patch_cache_control(response, **(IMMUTABLE if entry["immutable"] else REVALIDATE))
    return response


class CachedPageMiddleware:
    """Answer GET/HEAD for a school's already-rendered public page straight from the cache.

    Sits after host routing (it needs the school's schema for the key) and
    after the security, CSP and frame-options middleware, whose headers it
    therefore still gets. A miss falls through to the view, which fills the entry.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and getattr(request.tenant, "trust_id", None):
            entry = cache.get(page_key(request.path))
            if entry is not None:
                return respond(request, entry)
        return self.get_response(request)
