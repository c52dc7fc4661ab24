"""Rendered public pages, answered with as little of Django as possible.

Three layers, each a fallback for the one before:

1. PageMemoMiddleware keeps recent pages in this process's memory, keyed by
   host and path, and answers repeats right after whitenoise: no host lookup,
   no cache read, no database.
2. CachedPageMiddleware answers from the shared cache once the host is routed,
   before sessions, authentication, CSRF and the view.
3. The view renders the page (cached_entry) and stores it in the shared cache.

Both caches hold a page with the token of its school's pages at the time it
was read (tenants.generations). Publishing replaces that token (forget_notice),
which retires every copy of the school's pages at once. Shared-cache keys go
through django_tenants.cache.make_key, which prefixes the active schema, and
memory entries are keyed by host and checked against their school's token, so
one school's page can never answer for another.
"""

import hashlib
import threading
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django_tenants.utils import schema_context

from tenants import generations

IMMUTABLE = {"public": True, "max_age": 31536000, "immutable": True}
REVALIDATE = {"public": True, "max_age": 0, "must_revalidate": True}


# Old tokens' entries are never read again; let the shared cache drop them.
PAGE_SECONDS = 24 * 3600
# Per process; about a thousand notice pages.
MEMO_BYTES = 32 * 1024 * 1024


def page_key(token, path):
    return f"page:{token}:{path}"


def page_token(request):
    """The school's pages token, read once per request and before any page data."""
    if not hasattr(request, "page_token"):
        request.page_token = generations.token(generations.pages(request.tenant.schema_name))
    return request.page_token


def forget_pages(schema_name):
    """Retire every cached page of one school, in every process (within generations.TOKEN_SECONDS)."""
    generations.replace(generations.pages(schema_name))


def cached_entry(request, build):
    """The entry for this request's path; on a miss `build()` makes it and the shared cache keeps it."""
    key = page_key(page_token(request), request.path)
    entry = cache.get(key)
    if entry is None:
        entry = build()
        cache.set(key, entry, PAGE_SECONDS)
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
    response.page_entry = entry
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
            entry = cache.get(page_key(page_token(request), request.path))
            if entry is not None:
                return respond(request, entry)
        return self.get_response(request)


class _Memo:
    """A byte-bounded, least-recently-used map shared by the threads of one process."""

    def __init__(self, limit):
        self.limit = limit
        self.size = 0
        self.items = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            held = self.items.get(key)
            if held is not None:
                self.items.move_to_end(key)
            return held

    def put(self, key, held):
        if len(held.body) > self.limit:
            return
        with self.lock:
            old = self.items.pop(key, None)
            self.size += len(held.body) - (len(old.body) if old else 0)
            self.items[key] = held
            while self.size > self.limit:
                _, dropped = self.items.popitem(last=False)
                self.size -= len(dropped.body)

    def clear(self):
        with self.lock:
            self.items.clear()
            self.size = 0


class _Held:
    """One page as the full middleware chain answered it, with the tokens it was made under."""

    __slots__ = ("body", "headers", "etag", "last_modified", "schema", "hosts_token", "page_token")

    def __init__(self, request, response, hosts_token, body):
        self.body = body
        self.headers = dict(response.headers)
        self.etag = response.page_entry["etag"]
        self.last_modified = response.page_entry["last_modified"]
        self.schema = request.tenant.schema_name
        self.hosts_token = hosts_token
        self.page_token = request.page_token

    def current(self):
        return self.hosts_token == generations.token(generations.HOSTS) and self.page_token == generations.token(
            generations.pages(self.schema)
        )

    def respond(self, request):
        response = HttpResponse(self.body, headers=self.headers)
        return get_conditional_response(request, self.etag, self.last_modified, response) or response


memo = _Memo(MEMO_BYTES)


def _memo_key(request):
    host = request.META.get("HTTP_X_FORWARDED_HOST") if settings.USE_X_FORWARDED_HOST else None
    return (host or request.META.get("HTTP_HOST", ""), request.path)


def _body(request, response):
    """The bytes of a page or PDF response; a PDF is read through the school's storage."""
    if not response.streaming:
        return response.content
    with schema_context(request.tenant.schema_name):
        with default_storage.open(response.page_entry["file"], "rb") as pdf:
            return pdf.read()


class PageMemoMiddleware:
    """Answer a repeat GET/HEAD for a school's public page or PDF from this process's memory.

    Sits right after whitenoise, so a repeat costs about what a static file
    does. An entry is the first full 200 response for a host and path, headers
    included (so CSP and frame options are the ones the full chain set), and is
    used only while the host map's token and its school's pages token are the
    ones it was made under. Responses that set cookies, vary, or carry a CSP
    nonce are never kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        key = _memo_key(request)
        held = memo.get(key)
        if held is not None and held.current():
            return held.respond(request)
        hosts_token = generations.token(generations.HOSTS)
        response = self.get_response(request)
        if (
            response.status_code == 200
            and getattr(response, "page_entry", None) is not None
            and not response.cookies
            and "Vary" not in response.headers
            and "nonce-" not in response.headers.get("Content-Security-Policy", "")
        ):
            memo.put(key, _Held(request, response, hosts_token, _body(request, response)))
        return response
