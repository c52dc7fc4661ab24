"""Public pages on a school's host. No login; published versions only.

Each page is rendered once and cached per school (notices.cache); later
requests are answered from the cache without touching the database.
"""

import json

from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from notices import cache as page_cache
from notices import selectors
from notices.diff import diff_documents
from notices.document import NoticeDocument
from notices.rendering import published_html


def _page(request, template, context):
    return render_to_string(template, context, request=request).encode()


def _not_yet_published(request, notice):
    return render(request, "notices/not_published.html", {"notice": notice, "school": request.tenant}, status=404)


def _serve(request, build):
    try:
        entry = page_cache.cached_entry(request, build)
    except selectors.NotYetPublished as exc:
        return _not_yet_published(request, exc.notice)
    return page_cache.respond(request, entry)


@require_safe
def school_home(request):
    def build():
        notices = selectors.published_notices()
        body = _page(request, "notices/school_home.html", {"school": request.tenant, "notices": notices})
        return page_cache.body_entry(body, max((v.published_at for _, v in notices), default=None))

    return _serve(request, build)


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

    return _serve(request, build)


@require_safe
def version_detail(request, slug, number):
    def build():
        version = selectors.get_version(slug, number)
        body = _page(request, "notices/notice_page.html", _version_context(request, version, current=False))
        return page_cache.body_entry(body, version.published_at, immutable=True)

    return _serve(request, build)


@require_safe
def version_list(request, slug):
    def build():
        notice, versions = selectors.list_versions(slug)
        body = _page(
            request, "notices/versions.html", {"school": request.tenant, "notice": notice, "versions": versions}
        )
        return page_cache.body_entry(body, versions[0].published_at)

    return _serve(request, build)


@require_safe
def changes(request, slug, old, new):
    if old == new:
        raise Http404("Choose two different versions to compare.")

    def build():
        before, after = selectors.get_version(slug, old), selectors.get_version(slug, new)
        diff = diff_documents(NoticeDocument.from_dict(before.document), NoticeDocument.from_dict(after.document))
        context = {"school": request.tenant, "notice": after.notice, "before": before, "after": after, "diff": diff}
        body = _page(request, "notices/changes.html", context)
        return page_cache.body_entry(body, max(before.published_at, after.published_at), immutable=True)

    return _serve(request, build)


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
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        # Trust websites may fetch the current notice from the browser.
        cors = {"Access-Control-Allow-Origin": "*"}
        return page_cache.body_entry(body, version.published_at, content_type="application/json", headers=cors)

    return _serve(request, build)


@require_safe
def notice_pdf(request, slug):
    return _serve(request, lambda: page_cache.file_entry(selectors.get_current_version(slug)))


@require_safe
def version_pdf(request, slug, number):
    return _serve(request, lambda: page_cache.file_entry(selectors.get_version(slug, number), immutable=True))
