"""Public pages on a school's host. No login; frozen versions only.

Every word on a notice's pages (its title, the school's and trust's names in the
header and footer) comes from a published version's frozen document, never
from a draft row or today's school record. Each page is rendered once and
cached per school (notices.cache); later requests are answered from the cache
without touching the database.
"""

import json

from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_safe

from notices import cache as page_cache
from notices import selectors
from notices.diff import diff_documents
from notices.document import NoticeDocument
from notices.export import export_current
from notices.rendering import published_html


def chrome(document=None, school=None):
    """The names on a page's header and footer: from a frozen document, or (school home) the school now."""
    if document is not None and "school" in document:
        return {
            "school_name": document["school"]["name"],
            "school_urn": document["school"]["urn"],
            "trust_name": document["controller"]["name"],
            "title": document["title"],
        }
    return {"school_name": school.name, "school_urn": school.urn, "trust_name": school.trust.name, "title": ""}


def _intact(versions):
    """The newest version whose document is still there (not redacted), for a page's names."""
    return next((v for v in versions if v.redacted_at is None), None)


def _page(request, template, context):
    return render_to_string(template, context, request=request).encode()


def _gone(request, exc, slug):
    version = exc.version
    context = {
        "chrome": chrome(exc.current.document if exc.current else None, request.tenant),
        "slug": slug,
        "version": version,
        "withdrawal": exc.withdrawal,
        "current": exc.current,
    }
    return render(request, "notices/gone.html", context, status=410)


def _serve(request, build, slug=None):
    try:
        entry = page_cache.cached_entry(request, build)
    except selectors.Gone as exc:
        return _gone(request, exc, slug)
    return page_cache.respond(request, entry)


@require_safe
def school_home(request):
    def build():
        current = selectors.published_notices()
        context = {"chrome": chrome(school=request.tenant), "school": request.tenant, "current": current}
        body = _page(request, "notices/school_home.html", context)
        return page_cache.body_entry(body, max((v.effective_at for v in current), default=None))

    return _serve(request, build)


def _version_context(request, version, *, current):
    return {
        "chrome": chrome(version.document),
        "slug": version.notice.slug,
        "version": version,
        "article": published_html(version),
        "current": current,
        "previous": selectors.previous_number(version),
    }


def _current_changed_at(version):
    """The current page changes when its version comes into force and when a coming change is announced."""
    return max([version.effective_at, *(u.published_at for u in version.upcoming)])


@require_safe
def notice_current(request, slug):
    def build():
        version = selectors.get_current_version(slug)
        context = {**_version_context(request, version, current=True), "upcoming": version.upcoming}
        body = _page(request, "notices/notice_page.html", context)
        return page_cache.body_entry(body, _current_changed_at(version))

    return _serve(request, build, slug)


@require_safe
def version_detail(request, slug, number):
    def build():
        version = selectors.get_version(slug, number)
        context = _version_context(request, version, current=False)
        # Until it is in force the page says so, and points to the version in force: it changes at that moment.
        upcoming = version.effective_at > timezone.now()
        if upcoming:
            context["in_force"] = selectors.current_version(version.notice)
        body = _page(request, "notices/notice_page.html", {**context, "upcoming_version": upcoming})
        return page_cache.body_entry(body, page_cache.last_changed(version), immutable=not upcoming)

    return _serve(request, build, slug)


@require_safe
def version_list(request, slug):
    def build():
        versions = selectors.list_versions(slug)
        named = _intact(versions)
        context = {
            "chrome": chrome(named.document if named else None, request.tenant),
            "slug": slug,
            "versions": versions,
        }
        body = _page(request, "notices/versions.html", context)
        return page_cache.body_entry(body, max(page_cache.last_changed(v) for v in versions))

    return _serve(request, build, slug)


@require_safe
def changes(request, slug, old, new):
    if old == new:
        raise Http404("Choose two different versions to compare.")

    def build():
        before, after = selectors.get_version(slug, old), selectors.get_version(slug, new)
        diff = diff_documents(NoticeDocument.from_dict(before.document), NoticeDocument.from_dict(after.document))
        context = {"chrome": chrome(after.document), "slug": slug, "before": before, "after": after, "diff": diff}
        body = _page(request, "notices/changes.html", context)
        changed = max(page_cache.last_changed(before), page_cache.last_changed(after))
        return page_cache.body_entry(body, changed, immutable=True)

    return _serve(request, build, slug)


@require_safe
def notice_json(request, slug):
    def build():
        version = selectors.get_current_version(slug)
        body = json.dumps(export_current(version), ensure_ascii=False, sort_keys=True).encode()
        # Trust websites may fetch the current notice from the browser.
        cors = {"Access-Control-Allow-Origin": "*"}
        changed = _current_changed_at(version)
        return page_cache.body_entry(body, changed, content_type="application/json", headers=cors)

    return _serve(request, build, slug)


@require_safe
def notice_pdf(request, slug):
    return _serve(request, lambda: page_cache.file_entry(selectors.get_current_version(slug)), slug)


@require_safe
def version_pdf(request, slug, number):
    return _serve(request, lambda: page_cache.file_entry(selectors.get_version(slug, number), immutable=True), slug)
