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

A page lasts until the school's next version comes into force at the
latest (selectors.next_switch, kept in the entry as `until`): every layer
treats an entry past its `until` as missing, so the switch at an effective
time needs no command, no purge and no token change, and the clock alone
decides it.

All three layers answer through _answer, so If-None-Match, If-Modified-Since,
If-Match, If-Unmodified-Since, and on PDFs Range and If-Range, get the same
answer (RFC 9110) whichever layer holds the page. A PDF is read from storage
and checked against the SHA-256 recorded when it was published every time a
layer reads it; one that does not match is never served (a 503, logged).
"""

import hashlib
import logging
import math
import re
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date, parse_http_date_safe

from notices.selectors import next_switch
from tenants import generations, outage

logger = logging.getLogger(__name__)

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=0, must-revalidate"

# An entry cannot be used longer than the token it is kept under.
PAGE_SECONDS = generations.MAX_AGE
# Per process; about a thousand notice pages.
MEMO_BYTES = 32 * 1024 * 1024
# Bumped when an entry's shape changes, so a deploy never reads an entry the old code made.
ENTRY_FORMAT = 3


def page_key(token, path):
    return f"page:{ENTRY_FORMAT}:{token}:{path}"


def page_token(request):
    """The school's pages token, read once per request and before any page data."""
    if not hasattr(request, "page_token"):
        request.page_token = generations.token(generations.pages(request.tenant.schema_name))
    return request.page_token


def forget_pages(schema_name):
    """Retire every cached page of one school once the transaction commits (at once outside one), in every process.

    Other processes see it within generations.TOKEN_SECONDS; a failure to
    write the token is logged, and the pages then retire within generations.MAX_AGE.
    """
    generations.replace_after_commit(generations.pages(schema_name))


def _usable(entry):
    return entry is not None and (entry["until"] is None or time.time() < entry["until"])


def cached_entry(request, build):
    """The entry for this request's path; on a miss `build()` makes it and the shared cache keeps it.

    Kept until the school's next version comes into force at the latest.
    """
    key = page_key(page_token(request), request.path)
    entry = cache.get(key)
    if not _usable(entry):
        switch = next_switch()
        entry = {**build(), "until": switch.timestamp() if switch else None}
        seconds = PAGE_SECONDS if switch is None else max(1, min(PAGE_SECONDS, math.ceil(entry["until"] - time.time())))
        cache.set(key, entry, seconds)
    return entry


def last_changed(version):
    """When a version's pages last changed: when it came into force, or when it was published if it is upcoming."""
    return version.effective_at if version.effective_at <= timezone.now() else version.published_at


def _validators(published_at):
    # Last-Modified has whole seconds; the timestamp compared with If-(Un)Modified-Since is the same second.
    if published_at is None:
        return {"last_modified": None, "modified": None}
    return {"last_modified": http_date(published_at.timestamp()), "modified": int(published_at.timestamp())}


def body_entry(body: bytes, changed_at, *, content_type="text/html; charset=utf-8", immutable=False, headers=None):
    """An entry for a rendered body, with the validators for conditional GETs (`changed_at`: Last-Modified)."""
    return {
        "body": body,
        "headers": headers or {},
        "content_type": content_type,
        "etag": f'"{hashlib.sha256(body).hexdigest()[:32]}"',
        "immutable": immutable,
        **_validators(changed_at),
    }


def file_entry(version, *, immutable=False):
    """An entry for a version's PDF, read from storage (never rendered on a GET) and checked against its hash.

    Raises StoredFileChanged, before anything is cached, if the stored file is
    not the one published.
    """
    _verified_pdf(version.pdf.name, version.pdf_sha256)
    return {
        "file": version.pdf.name,
        "sha256": version.pdf_sha256,
        "headers": {
            "Content-Disposition": content_disposition_header(True, version.pdf_filename),
            "Accept-Ranges": "bytes",
        },
        "content_type": "application/pdf",
        "etag": f'"{version.pdf_sha256[:32]}"',
        "immutable": immutable,
        **_validators(last_changed(version)),
    }


class StoredFileChanged(outage.Unavailable):
    """A stored PDF is missing, or is not the file whose SHA-256 was recorded when it was published."""


def _verified_pdf(name, sha256):
    """The bytes of the stored PDF `name` of the active school, if they still have `sha256`."""
    try:
        with default_storage.open(name, "rb") as stored:
            data = stored.read()
    except FileNotFoundError:
        found = "no file"
    else:
        found = hashlib.sha256(data).hexdigest()
        if found == sha256:
            return data
    logger.error(
        "Not serving %s of school %s: SHA-256 recorded at publication %s, stored file %s",
        name,
        connection.schema_name,
        sha256,
        found,
    )
    raise StoredFileChanged(name)


# The headers a 304 repeats from the 200 it stands for (RFC 9110 section 15.4.5).
_NOT_MODIFIED_HEADERS = ("Cache-Control", "Content-Location", "Date", "ETag", "Expires", "Last-Modified", "Vary")
# One byte range (RFC 9110 section 14.1.2); longer numbers than any file has are not a range we answer.
_BYTE_RANGE = re.compile(r"bytes=([0-9]{0,19})-([0-9]{0,19})", re.IGNORECASE)
_UNSATISFIABLE = "unsatisfiable"


def _if_range_passes(request, etag, modified):
    """Whether the representation If-Range names is this one (RFC 9110 section 13.1.5); absent means yes."""
    value = request.META.get("HTTP_IF_RANGE")
    if value is None:
        return True
    value = value.strip()
    if value.startswith(("W/", '"')):
        return value == etag  # a strong comparison: a weak tag never matches
    return modified is not None and parse_http_date_safe(value) == modified


def _byte_span(request, etag, modified, size):
    """The part of a `size`-byte body a GET asks for: None for all of it, (start, stop), or _UNSATISFIABLE.

    Several ranges are answered with the whole body, which RFC 9110 allows;
    a malformed Range is ignored, as it requires.
    """
    header = request.META.get("HTTP_RANGE")
    if not header or request.method != "GET" or not _if_range_passes(request, etag, modified):
        return None
    match = _BYTE_RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if first:
        start = int(first)
        if last and int(last) < start:
            return None
        if start >= size:
            return _UNSATISFIABLE
        return start, min(int(last) + 1, size) if last else size
    if last:
        if int(last) == 0:
            return _UNSATISFIABLE
        return max(size - int(last), 0), size
    return None


def _answer(request, *, etag, modified, headers, body, ranged):
    """The 200, 206, 304, 412 or 416 for a GET/HEAD of one representation (RFC 9110 sections 13 and 14).

    `headers` are those of its full 200; `body` gives its bytes, and is only
    called when they are sent. Only a `ranged` body (a PDF) answers Range.
    """
    if modified is None and "HTTP_IF_UNMODIFIED_SINCE" in request.META:
        # Without a modification date the field is ignored (RFC 9110 section 13.1.4); Django would answer 412.
        request.META = {name: value for name, value in request.META.items() if name != "HTTP_IF_UNMODIFIED_SINCE"}
    conditional = get_conditional_response(request, etag=etag, last_modified=modified)
    if conditional is not None:
        if conditional.status_code == 304:
            for name in _NOT_MODIFIED_HEADERS:
                if name in headers:
                    conditional[name] = headers[name]
        return conditional
    content = body()
    span = _byte_span(request, etag, modified, len(content)) if ranged else None
    if span is None:
        return HttpResponse(content, headers=headers)
    if span == _UNSATISFIABLE:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{len(content)}"
        return refused
    start, stop = span
    partial = HttpResponse(content[start:stop], status=206, headers=headers)
    partial["Content-Range"] = f"bytes {start}-{stop - 1}/{len(content)}"
    partial["Content-Length"] = str(stop - start)
    return partial


def respond(request, entry):
    """Answer a GET/HEAD with `entry`; a PDF is checked against its hash each time it is read."""
    headers = {"Content-Type": entry["content_type"], **entry.get("headers", {}), "ETag": entry["etag"]}
    if entry["last_modified"]:
        headers["Last-Modified"] = entry["last_modified"]
    headers["Cache-Control"] = IMMUTABLE if entry["immutable"] else REVALIDATE
    ranged = "file" in entry
    try:
        response = _answer(
            request,
            etag=entry["etag"],
            modified=entry["modified"],
            headers=headers,
            body=(lambda: _verified_pdf(entry["file"], entry["sha256"])) if ranged else (lambda: entry["body"]),
            ranged=ranged,
        )
    except StoredFileChanged:
        return outage.unavailable()
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
            if _usable(entry):
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

    __slots__ = (
        "body",
        "headers",
        "etag",
        "modified",
        "ranged",
        "schema",
        "hosts_token",
        "page_token",
        "made",
        "until",
    )

    def __init__(self, request, response, hosts_token):
        self.body = response.content
        self.headers = dict(response.headers)
        self.etag = response.page_entry["etag"]
        self.modified = response.page_entry["modified"]
        self.ranged = "file" in response.page_entry
        self.schema = request.tenant.schema_name
        self.hosts_token = hosts_token
        self.page_token = request.page_token
        self.made = time.monotonic()
        self.until = response.page_entry["until"]

    def current(self):
        return (
            time.monotonic() - self.made < generations.MAX_AGE
            and (self.until is None or time.time() < self.until)
            and self.hosts_token == generations.token(generations.HOSTS)
            and self.page_token == generations.token(generations.pages(self.schema))
        )

    def respond(self, request):
        return _answer(
            request,
            etag=self.etag,
            modified=self.modified,
            headers=self.headers,
            body=lambda: self.body,
            ranged=self.ranged,
        )


memo = _Memo(MEMO_BYTES)


def _memo_key(request):
    host = request.META.get("HTTP_X_FORWARDED_HOST") if settings.USE_X_FORWARDED_HOST else None
    return (host or request.META.get("HTTP_HOST", ""), request.path)


class PageMemoMiddleware:
    """Answer a repeat GET/HEAD for a school's public page or PDF from this process's memory.

    Sits right after whitenoise, so a repeat costs about what a static file
    does. An entry is the first full 200 response for a host and path, headers
    included (so CSP and frame options are the ones the full chain set), and is
    used only while the host map's token and its school's pages token are the
    ones it was made under, and for generations.MAX_AGE at most. A PDF's bytes
    are those respond() checked against the recorded hash. Responses that
    set cookies, vary, or carry a CSP nonce are never kept.
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
            memo.put(key, _Held(request, response, hosts_token))
        return response
