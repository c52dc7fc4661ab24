"""Public pages on a school's host. No login; published versions only.

Each page is rendered once and cached per school (notices.cache); a request
that hits the cache answers without touching the database.
"""

import json

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from notices import cache as page_cache
from notices import selectors
from notices.diff import diff_documents
from notices.document import NoticeDocument
from notices.rendering import published_html

IMMUTABLE = {"public": True, "max_age": 31536000, "immutable": True}
REVALIDATE = {"public": True, "max_age": 0, "must_revalidate": True}


def _respond(request, entry, content_type, cache_control, status=200):
    response = get_conditional_response(
        request, etag=entry["etag"], last_modified=entry["last_modified"]
    ) or HttpResponse(entry["body"], content_type=content_type, status=status)
    response["ETag"] = entry["etag"]
    if entry["last_modified"]:
        response["Last-Modified"] = entry["last_modified"]
    patch_cache_control(response, **cache_control)
    return response


def _page(request, template, context):
    return render_to_string(template, context, request=request).encode()


def _not_yet_published(request, notice):
    return render(request, "notices/not_published.html", {"notice": notice, "school": request.tenant}, status=404)


@require_safe
def school_home(request):
    def build():
        notices = selectors.published_notices()
        body = _page(request, "notices/school_home.html", {"school": request.tenant, "notices": notices})
        return page_cache.body_entry(body, max((v.published_at for _, v in notices), default=None))

    return _respond(
        request, page_cache.cached_entry(page_cache.page_key("home"), build), "text/html; charset=utf-8", REVALIDATE
    )


def _version_context(request, version, *, current):
    return {
        "school": request.tenant,
        "notice": version.notice,
        "version": version,
        "article": published_html(version),
        "current": current,
    }


@require_safe
def notice_current(request, slug):
    def build():
        version = selectors.get_current_version(slug)
        body = _page(request, "notices/notice_page.html", _version_context(request, version, current=True))
        return page_cache.body_entry(body, version.published_at)

    try:
        entry = page_cache.cached_entry(page_cache.page_key("current", slug), build)
    except selectors.NotYetPublished as exc:
        return _not_yet_published(request, exc.notice)
    return _respond(request, entry, "text/html; charset=utf-8", REVALIDATE)


@require_safe
def version_detail(request, slug, number):
    def build():
        version = selectors.get_version(slug, number)
        body = _page(request, "notices/notice_page.html", _version_context(request, version, current=False))
        return page_cache.body_entry(body, version.published_at)

    entry = page_cache.cached_entry(page_cache.page_key("version", slug, number), build)
    return _respond(request, entry, "text/html; charset=utf-8", IMMUTABLE)


@require_safe
def version_list(request, slug):
    def build():
        notice, versions = selectors.list_versions(slug)
        body = _page(
            request, "notices/versions.html", {"school": request.tenant, "notice": notice, "versions": versions}
        )
        return page_cache.body_entry(body, versions[0].published_at)

    try:
        entry = page_cache.cached_entry(page_cache.page_key("versions", slug), build)
    except selectors.NotYetPublished as exc:
        return _not_yet_published(request, exc.notice)
    return _respond(request, entry, "text/html; charset=utf-8", REVALIDATE)


@require_safe
def changes(request, slug, old, new):
    if old == new:
        raise Http404("Choose two different versions to compare.")

    def build():
        before, after = selectors.get_version(slug, old), selectors.get_version(slug, new)
        diff = diff_documents(NoticeDocument.from_dict(before.document), NoticeDocument.from_dict(after.document))
        context = {"school": request.tenant, "notice": after.notice, "before": before, "after": after, "diff": diff}
        body = _page(request, "notices/changes.html", context)
        return page_cache.body_entry(body, max(before.published_at, after.published_at))

    entry = page_cache.cached_entry(page_cache.page_key("changes", slug, old, new), build)
    return _respond(request, entry, "text/html; charset=utf-8", IMMUTABLE)


@require_safe
def notice_json(request, slug):
    def build():
        version = selectors.get_current_version(slug)
        payload = {
            "school": request.tenant.slug,
            "notice": slug,
            "version": version.number,
            "published_at": version.published_at.isoformat(),
            "summary": version.summary,
            "material": version.material,
            "pdf_sha256": version.pdf_sha256,
            "document": version.document,
        }
        return page_cache.body_entry(
            json.dumps(payload, ensure_ascii=False, sort_keys=True).encode(), version.published_at
        )

    try:
        entry = page_cache.cached_entry(page_cache.page_key("json", slug), build)
    except selectors.NotYetPublished as exc:
        return _not_yet_published(request, exc.notice)
    response = _respond(request, entry, "application/json", REVALIDATE)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _pdf_entry(version):
    return {
        "path": version.pdf.name,
        "filename": version.pdf_filename,
        "etag": f'"{version.pdf_sha256[:32]}"',
        "last_modified": http_date(version.published_at.timestamp()),
    }


def _pdf_response(request, entry, cache_control):
    # PDFs are rendered once, at publication; a GET only streams the stored file.
    response = get_conditional_response(request, etag=entry["etag"], last_modified=entry["last_modified"])
    if response is None:
        response = FileResponse(
            default_storage.open(entry["path"], "rb"),
            as_attachment=True,
            filename=entry["filename"],
            content_type="application/pdf",
        )
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = entry["last_modified"]
    patch_cache_control(response, **cache_control)
    return response


@require_safe
def notice_pdf(request, slug):
    try:
        entry = page_cache.cached_entry(
            page_cache.page_key("pdf", slug), lambda: _pdf_entry(selectors.get_current_version(slug))
        )
    except selectors.NotYetPublished as exc:
        return _not_yet_published(request, exc.notice)
    return _pdf_response(request, entry, REVALIDATE)


@require_safe
def version_pdf(request, slug, number):
    entry = page_cache.cached_entry(
        page_cache.page_key("pdf", slug, number), lambda: _pdf_entry(selectors.get_version(slug, number))
    )
    return _pdf_response(request, entry, IMMUTABLE)
