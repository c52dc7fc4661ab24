"""Public pages in real Chromium (Debian's /usr/bin/chromium): axe-core WCAG 2.2 AA, 320 px reflow, no JavaScript."""

import datetime
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.testcases import LiveServerThread, _StaticFilesHandler
from django.utils import timezone
from django_tenants.utils import tenant_context

from conftest import PASSWORD, change_draft
from notices.admin.parts import PARTS
from notices.demo import load_notice
from notices.models import Notice, Section, System
from notices.publishing import publish_notice
from notices.tests.factories import notice_data
from subscriptions import tokens
from subscriptions.models import Subscriber
from tenants.memberships import grant_role
from tenants.models import Membership, User
from tenants.provisioning import create_school

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
AXE = Path(settings.BASE_DIR, "static/vendor/axe-core/axe.min.js").read_text()
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SLUG = "pupils-and-parents"


@pytest.fixture(scope="module")
def site(world, django_db_blocker):
    """A live server on 127.0.0.1 with a school that has three published versions.

    The database stays unblocked for the module: the server thread reads the
    committed test data on its own connection.
    """
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: make test installs Debian's chromium package (apt-get install chromium).")
    with django_db_blocker.unblock():
        school = create_school(
            trust=world.trust_y,
            name="Browser Test School",
            slug="browser-school",
            urn="990077",
            address="1 Road",
            headteacher="Head",
            contact_email="office@browser-school.example.org",
        )
        with tenant_context(school):
            notice = load_notice(notice_data("Browser"))
            publish_notice(notice, user=None, summary="First version.")
            System.objects.create(notice=notice, name="Homework App", used_for="homework", order=5)
            section = Section.objects.get(notice=notice, kind="collecting")
            section.body = section.body.replace("optional", "voluntary")
            section.save()
            publish_notice(notice, user=None, summary="Added the homework app.")
            change_draft(notice, "Reworded.")
            publish_notice(notice, user=None, summary="Wording fix.", material=False)
            # Version 4 takes effect in a month: the current page carries its banner.
            change_draft(notice, "Coming later.")
            publish_notice(
                notice,
                user=None,
                summary="A change announced ahead.",
                effective_at=timezone.now() + datetime.timedelta(days=30),
            )
            subscriber = Subscriber.objects.create(notice=notice, email="family@example.org")
            confirm = f"/subscriptions/confirm/{tokens.confirm_token(subscriber)}/"
            unsubscribe = f"/subscriptions/unsubscribe/{tokens.unsubscribe_token(subscriber)}/"
            Notice.objects.create(
                title="Workforce notice",
                slug="workforce",
                audience="workforce",
                summary="Draft",
                contact_name="HR",
                contact_email="hr@example.org",
                review_by="2027-01-01",
            )
        connection.set_schema_to_public()
        server = LiveServerThread("127.0.0.1", _StaticFilesHandler)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        # Playwright's sync API runs an event loop in this thread; no ORM call
        # happens here while it runs (the server thread does the queries).
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        SUBSCRIPTION_PAGES.extend([("school", confirm, 200), ("school", unsubscribe, 200)])
        try:
            yield f"http://browser-school.localhost:{server.port}", f"http://localhost:{server.port}"
        finally:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
            server.terminate()


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield chromium
        chromium.close()


PAGES = [
    ("school", "/", 200),
    ("school", f"/privacy/{SLUG}/", 200),
    ("school", f"/privacy/{SLUG}/versions/", 200),
    ("school", f"/privacy/{SLUG}/versions/1/", 200),
    ("school", f"/privacy/{SLUG}/versions/4/", 200),
    ("school", f"/privacy/{SLUG}/changes/1...2/", 200),
    ("school", f"/privacy/{SLUG}/subscribe/", 200),
    ("school", "/subscriptions/privacy/", 200),
    ("school", "/privacy/workforce/", 404),
    ("school", "/no-such-page/", 404),
    ("portal", "/", 200),
]


# The confirm and unsubscribe pages need the links the site fixture signs.
SUBSCRIPTION_PAGES = []


@pytest.mark.parametrize("width", [1024, 320])
def test_subscription_link_pages_have_no_wcag_22_aa_violations_and_reflow(site, browser, width):
    for _, path, status in SUBSCRIPTION_PAGES:
        context, page, response, csp = open_page(browser, site[0] + path, width=width)
        try:
            assert response.status == status, path
            page.evaluate(AXE)
            result = page.evaluate(
                "options => axe.run(document, options)", {"runOnly": {"type": "tag", "values": WCAG_22_AA}}
            )
            assert [v["id"] for v in result["violations"]] == [], path
            assert csp == [], path
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        finally:
            context.close()


def open_page(browser, url, *, width=1024, javascript=True):
    context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=javascript)
    page = context.new_page()
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    response = page.goto(url)
    return context, page, response, violations


@pytest.mark.parametrize(("where", "path", "status"), PAGES)
def test_public_page_has_no_wcag_22_aa_violations(site, browser, where, path, status):
    base = site[0] if where == "school" else site[1]
    context, page, response, csp_errors = open_page(browser, base + path)
    try:
        assert response.status == status
        page.evaluate(AXE)
        result = page.evaluate(
            "options => axe.run(document, options)", {"runOnly": {"type": "tag", "values": WCAG_22_AA}}
        )
        problems = [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in result["violations"]]
        assert problems == []
        assert result["passes"], "axe ran no checks"
        assert page.evaluate("document.documentElement.lang") == "en-GB"
        assert csp_errors == []
    finally:
        context.close()


@pytest.mark.parametrize(("where", "path", "status"), PAGES)
def test_public_page_reflows_at_320_css_pixels(site, browser, where, path, status):
    base = site[0] if where == "school" else site[1]
    context, page, response, _ = open_page(browser, base + path, width=320)
    try:
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
    finally:
        context.close()


def test_notice_reads_fully_with_javascript_off(site, browser):
    context, page, response, _ = open_page(browser, site[0] + f"/privacy/{SLUG}/", javascript=False)
    try:
        assert response.status == 200
        assert page.locator("h1").count() == 1
        assert page.get_by_text("Homework App").count() >= 1
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent")
        assert focused == "Skip to main content"
        outline = page.evaluate("getComputedStyle(document.activeElement).backgroundColor")
        assert outline == "rgb(255, 221, 0)"  # the visible focus colour
    finally:
        context.close()


# --- staff pages of trust templates (the template admin, the school's follow pages, the console) ---------------


@pytest.fixture(scope="module")
def staff(site, world, django_db_blocker):
    """Trust Y's template made from the browser school's notice, followed by it with a conflict; a signed-in publisher.

    Returns the session cookie and the staff pages to check, by where they are served.
    """
    from django.test import Client

    from announcements.webhooks.delivery import create_webhook, enqueue_test
    from notices import following
    from notices.bulk import plan_trust_publish
    from notices.registers import BY_ATTR
    from notices.releasing import release_template, template_from_school, workspace_context

    with django_db_blocker.unblock():
        school = world.school_c.__class__.objects.get(slug="browser-school")
        with tenant_context(school):
            notice = Notice.objects.get(slug=SLUG)
        connection.set_schema_to_public()
        template = template_from_school(school, notice, slug="browser-template", title="Browser template", user=None)
        release_template(template, user=None, summary="First release.")
        with tenant_context(school):
            following.link_notice(notice, template, school=school, user=None)
            system = System.objects.get(notice=notice, name="Homework App", state="inherited")
            section = Section.objects.get(notice=notice, template_uid__isnull=False, kind="collecting")
            following.replace_item(notice, BY_ATTR["sections"], section.pk, user=None, values={"body": "Our words."})
        with workspace_context(template):
            trust_section = Section.objects.get(notice_id=template.notice_id, kind="collecting")
            trust_section.body = "The trust's new words."
            trust_section.save()
        connection.set_schema_to_public()
        release_template(template, user=None, summary="New collecting wording.")
        run = plan_trust_publish(world.trust_y, user=world.publisher_y, summary="Browser run.")
        webhook = create_webhook(world.trust_y, "http://127.0.0.1:9/hook", by=world.publisher_y)
        enqueue_test(webhook)
        client = Client()
        client.force_login(world.publisher_y)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        dpl = User.objects.create_user("dpl@browser-school.example.org", PASSWORD, name="Browser DPL")
        grant_role(dpl, Membership.Role.EDITOR, school=school)
        dpl_client = Client()
        dpl_client.force_login(dpl)
        dpl_session = dpl_client.cookies[settings.SESSION_COOKIE_NAME].value
        with tenant_context(school):
            row = System.objects.filter(notice=notice).first()
            # Two of the school's own systems, which it orders itself (the trust's keep the trust's order).
            for n, name in enumerate(("Our first app", "Our second app")):
                System.objects.create(notice=notice, name=name, used_for="our own use", order=90 + n)
        connection.set_schema_to_public()
    school_admin = f"/admin/notices/notice/{notice.pk}/"
    template_admin = f"/trust/{world.trust_y.slug}/templates/admin/notices/notice/{template.notice_id}/"
    # The DPL's own pages: the school admin's index, the notice workspace and each of its parts, history, a row's
    # history and its revert, preview and the versions list.
    dpl_pages = [
        ("school", "/admin/"),
        ("school", school_admin + "overview/"),
        *[("school", school_admin + f"part/{part.slug}/") for part in PARTS if part.registers],
        ("school", school_admin + "history/"),
        ("school", f"/admin/notices/system/{row.pk}/history/"),
        ("school", school_admin + "revert/1/"),
        ("school", school_admin + "preview/"),
        ("school", school_admin + "request-review/"),
        ("school", "/admin/notices/noticeversion/"),
    ]
    pages = [
        ("school", school_admin + "change/"),
        ("school", school_admin + "conflicts/"),
        ("school", school_admin + f"conflicts/sections/{section.pk}/edit/"),
        ("school", school_admin + f"trust-item/systems/{system.pk}/"),
        ("school", school_admin + "link/"),
        ("portal", template_admin + "change/"),
        ("portal", template_admin + "release/"),
        ("portal", template_admin + "revert/1/"),
        ("portal", template_admin + "preview/"),
        ("school", "/admin/notices/notice/"),
        ("school", "/admin/notices/notice/import/"),
        ("portal", f"/trust/{world.trust_y.slug}/templates/admin/notices/notice/import/"),
        ("portal", f"/trust/{world.trust_y.slug}/"),
        ("portal", f"/trust/{world.trust_y.slug}/templates/new/"),
        ("school", school_admin + "publish/"),
        ("school", school_admin + "announcement/4/"),
        ("portal", f"/trust/{world.trust_y.slug}/publish/browser-school/{SLUG}/"),
        ("portal", f"/trust/{world.trust_y.slug}/announce/browser-school/{SLUG}/4/"),
        ("portal", f"/trust/{world.trust_y.slug}/withdraw/browser-school/{SLUG}/4/"),
        ("portal", f"/trust/{world.trust_y.slug}/settings/"),
        ("portal", f"/trust/{world.trust_y.slug}/webhooks/"),
        ("portal", f"/trust/{world.trust_y.slug}/webhooks/{webhook.pk}/"),
        ("portal", f"/trust/{world.trust_y.slug}/runs/{run.pk}/"),
    ]
    return {"publisher": (session, pages), "dpl": (dpl_session, dpl_pages), "anonymous": (None, ANONYMOUS_PAGES)}


# Staff pages anyone reaches before signing in.
ANONYMOUS_PAGES = [
    ("school", "/admin/login/"),
    ("school", "/accounts/login/"),
    ("portal", "/accounts/login/"),
    ("school", "/accounts/password-reset/"),
    ("school", "/accounts/password-reset/sent/"),
]


@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.parametrize("persona", ["dpl", "publisher", "anonymous"])
def test_staff_pages_have_no_wcag_22_aa_violations_no_csp_errors_and_reflow(site, staff, browser, persona, width):
    session, pages = staff[persona]
    failures = {}
    for where, path in pages:
        base = site[0] if where == "school" else site[1]
        context = browser.new_context(viewport={"width": width, "height": 800})
        host = base.split("//")[1].split(":")[0]
        if session:
            cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session, "domain": host, "path": "/"}
            context.add_cookies([cookie])
        page = context.new_page()
        csp_errors = []
        page.on(
            "console",
            lambda msg, errs=csp_errors: errs.append(msg.text) if "Content Security Policy" in msg.text else None,
        )
        try:
            response = page.goto(base + path)
            assert response.status == 200, f"{path}: {response.status}"
            assert session is None or "/login/" not in page.url
            page.evaluate(AXE)
            result = page.evaluate(
                "options => axe.run(document, options)", {"runOnly": {"type": "tag", "values": WCAG_22_AA}}
            )
            problems = [
                f"{v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:3]})" for v in result["violations"]
            ]
            # Words stay whole in the console's tables ("Completene ss" was split at 1280 px).
            broken = page.evaluate(
                """() => [...document.querySelectorAll('.console-table th, .console-table td')].filter(e => {
                     const s = getComputedStyle(e); return s.overflowWrap === 'anywhere' || s.wordBreak === 'break-all';
                   }).length"""
            )
            if broken:
                problems.append(f"{broken} console table cells may break words in the middle")
            # The page itself never scrolls sideways; a changelist table may, inside its own container.
            if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"):
                problems.append(f"scrolls sideways at {width} px")
            if problems or csp_errors:
                failures[path] = problems + csp_errors
        finally:
            context.close()
    assert failures == {}, "\n".join(f"{k}: {v}" for k, v in failures.items())


def test_a_part_page_works_with_the_keyboard_alone_with_focus_visible_in_page_order(site, staff, browser):
    session, pages = staff["dpl"]
    path = next(p for _, p in pages if p.endswith("/part/systems/"))
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    host = site[0].split("//")[1].split(":")[0]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "domain": host, "path": "/"}])
    page = context.new_page()
    try:
        page.goto(site[0] + path)
        seen = []
        for _ in range(200):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                """() => { const e = document.activeElement; const s = getComputedStyle(e);
                  const r = e.getBoundingClientRect();
                  const outline = s.outlineStyle !== 'none' || s.boxShadow !== 'none';
                  const label = e.tagName === 'BUTTON' ? e.textContent : (e.value || e.textContent);
                  return {text: (label || '').trim().slice(0, 60), tag: e.tagName, inForm: !!e.closest('.part-form'),
                          top: r.top + window.scrollY, outline: outline}; }"""
            )
            seen.append(focused)
            if focused["tag"] == "INPUT" and focused["text"].startswith("Save"):
                break
        texts = [f["text"] for f in seen]
        assert any(t.startswith("Move up") for t in texts), texts
        assert seen[-1]["text"].startswith("Save"), texts  # the Save button is reached by Tab alone
        assert all(f["outline"] for f in seen if f["tag"] in ("A", "BUTTON", "INPUT", "SELECT", "TEXTAREA"))
        form_fields = [f["top"] for f in seen if f["inForm"]]
        assert form_fields == sorted(form_fields)  # focus follows the page, top to bottom
        # Enter on "Move down" moves the school's first own system below its second.
        page.goto(site[0] + path)
        page.locator("button", has_text="Move down").first.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        legends = page.locator("fieldset.part-row legend").all_inner_texts()
        names = [text.split(" the school")[0].strip() for text in legends if "the school's own" in text]
        assert names == ["Our second app", "Our first app"]
    finally:
        context.close()
