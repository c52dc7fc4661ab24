"""Issue 17: the notice workspace's pages against the single notice page they replace, measured in one run.

Server time of a GET as the school's DPL (logged in), through the whole
middleware chain with Django's test client, median of RUNS after one warm-up.
The baseline is the notice page as it was: every register as an inline on one
page (the same NoticeAdmin with INLINES and Django's change form), served in
this run by a URL configuration of the bench's own, on the same notice.
"""

import statistics
import time

from django.urls import include, path

RUNS = 7
OLD = "bench-old-admin"


def urlpatterns():
    """The tenants' URLs with the old single notice page beside them, on a school admin site of its own."""
    from notices.admin.inlines import INLINES
    from notices.admin.notices import NoticeAdmin
    from notices.admin.sites import SchoolAdminSite
    from notices.models import Notice
    from trust_portal import urls_tenants

    class OldNoticeAdmin(NoticeAdmin):
        inlines = INLINES
        change_form_template = "admin/change_form.html"

    site = SchoolAdminSite(name=OLD)
    site.register(Notice, OldNoticeAdmin)
    return [path(f"{OLD}/", site.urls), path("", include(urls_tenants))]


class _URLs:
    """A URL configuration object (Django takes any object with urlpatterns), filled once Django is set up."""

    urlpatterns = []


def _median_ms(client, path, host):
    client.get(path, HTTP_HOST=host)  # warm-up: templates, host lookup, session
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(path, HTTP_HOST=host)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times), len(response.content)


def measure_editor():
    from django.conf import settings
    from django.test import Client, override_settings
    from django.urls import clear_url_caches
    from django_tenants.utils import tenant_context

    from notices import demo_content
    from notices.admin.parts import PARTS
    from notices.models import Notice
    from notices.registers import BY_ATTR
    from tenants.memberships import grant_role
    from tenants.models import Membership, School, User

    data = demo_content.TRUSTS[0]["schools"][0]
    school = School.objects.get(slug=data["slug"])
    host = f"{school.slug}.{settings.PORTAL_DOMAIN}"
    with tenant_context(school):
        notice = Notice.objects.get()
        sizes = {p.slug: sum(getattr(notice, BY_ATTR[a].related_name).count() for a in p.registers) for p in PARTS}
    largest = max((p for p in PARTS if p.registers), key=lambda p: sizes[p.slug])
    client = Client()
    dpl = User.objects.filter(email__iexact=data["editor"]["email"]).first()
    if dpl is None:  # the benchmark database loads the demo's schools without their DPLs
        dpl = User.objects.create_user(data["editor"]["email"], demo_content.DEMO_PASSWORD)
        grant_role(dpl, Membership.Role.EDITOR, school=school)
    client.force_login(dpl)
    _URLs.urlpatterns = urlpatterns()
    with override_settings(ROOT_URLCONF=_URLs):
        clear_url_caches()
        try:
            old_ms, old_bytes = _median_ms(client, f"/{OLD}/notices/notice/{notice.pk}/change/", host)
            overview_ms, overview_bytes = _median_ms(client, f"/admin/notices/notice/{notice.pk}/overview/", host)
            part_ms, part_bytes = _median_ms(client, f"/admin/notices/notice/{notice.pk}/part/{largest.slug}/", host)
        finally:
            clear_url_caches()
    figures = {
        "editor_overview_ms": overview_ms,
        "editor_largest_part_ms": part_ms,
        "editor_largest_part": largest.slug,
        "old_change_page_ms": old_ms,
        "editor_overview_vs_old": overview_ms / old_ms,
        "editor_largest_part_vs_old": part_ms / old_ms,
        "editor_page_kb": {
            "old": old_bytes / 1024,
            "overview": overview_bytes / 1024,
            "largest_part": part_bytes / 1024,
        },
    }
    print(
        f"  editor: overview {overview_ms:.0f} ms, largest part ({largest.slug}) {part_ms:.0f} ms, "
        f"old single page {old_ms:.0f} ms (medians of {RUNS})",
        flush=True,
    )
    return figures


def editor_line(results):
    if "editor_overview_ms" not in results:
        return ""
    return (
        f"Editor (server time, DPL logged in, median of {RUNS}): overview {results['editor_overview_ms']:.0f} ms "
        f"({results['editor_overview_vs_old']:.2f}× the old single page), largest part "
        f"({results['editor_largest_part']}) {results['editor_largest_part_ms']:.0f} ms "
        f"({results['editor_largest_part_vs_old']:.2f}×), "
        f"old single notice page {results['old_change_page_ms']:.0f} ms "
        f"(target: each under 0.2×)."
    )
