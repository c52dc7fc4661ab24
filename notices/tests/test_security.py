"""Isolation matrix, XSS and host-header tests across every admin and console URL and persona."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from pypdf import PdfReader

from conftest import host
from notices.compose import compose_notice
from notices.models import (
    DataCategory,
    LawfulBasis,
    Notice,
    NoticeVersion,
    Purpose,
    Recipient,
    RetentionRule,
    Right,
    Section,
    System,
)
from notices.publishing import publish_notice
from notices.rendering import render_notice_html

pytestmark = pytest.mark.django_db
PERSONAS = ["anonymous", "editor_a", "editor_b", "publisher_x", "publisher_y", "platform_admin"]


def school_admin_urls(world):
    with tenant_context(world.school_a):
        notice = Notice.objects.get()
        system = System.objects.first()
        version = NoticeVersion.objects.first()
    connection.set_schema_to_public()
    return [
        "/admin/",
        "/admin/notices/notice/",
        f"/admin/notices/notice/{notice.pk}/change/",
        f"/admin/notices/notice/{notice.pk}/history/",
        f"/admin/notices/notice/{notice.pk}/preview/",
        f"/admin/notices/notice/{notice.pk}/publish/",
        f"/admin/notices/notice/{notice.pk}/revert/1/",
        f"/admin/notices/system/{system.pk}/change/",
        f"/admin/notices/system/{system.pk}/history/",
        "/admin/notices/noticeversion/",
        f"/admin/notices/noticeversion/{version.pk}/change/",
    ]


# Who may open school A's admin: its own editor and its trust's publisher.
SCHOOL_A_ADMIN_ALLOWED = {"editor_a", "publisher_x"}
# Who may open trust X's console: its publishers.
CONSOLE_ALLOWED = {"publisher_x"}
PORTAL_ADMIN_ALLOWED = {"platform_admin"}


def login(client, world, persona):
    if persona != "anonymous":
        client.force_login(getattr(world, persona))


@pytest.mark.parametrize("persona", PERSONAS)
def test_school_admin_isolation_matrix(world, client, persona):
    login(client, world, persona)
    for url in school_admin_urls(world):
        response = client.get(url, HTTP_HOST=host(world.school_a))
        body = response.content.decode()
        if persona in SCHOOL_A_ADMIN_ALLOWED:
            assert response.status_code == 200, url
            assert "School A" in body, url
        else:
            assert response.status_code in (302, 403), url
            if response.status_code == 302:
                assert response["Location"].startswith("/admin/login/"), url
        # School B's and C's content is in the database, and never appears here.
        assert "MarkerB" not in body, url
        assert "MarkerC" not in body, url


@pytest.mark.parametrize("persona", PERSONAS)
def test_console_and_portal_admin_isolation_matrix(world, client, persona):
    login(client, world, persona)
    urls = {
        "/trust/trust-x/": CONSOLE_ALLOWED,
        "/trust/trust-x/publish/school-a/pupils-and-parents/": CONSOLE_ALLOWED,
        "/admin/": PORTAL_ADMIN_ALLOWED,
        "/admin/tenants/school/": PORTAL_ADMIN_ALLOWED,
        "/admin/tenants/auditevent/": PORTAL_ADMIN_ALLOWED,
        "/admin/tenants/user/": PORTAL_ADMIN_ALLOWED,
    }
    for url, allowed in urls.items():
        response = client.get(url, HTTP_HOST="localhost")
        body = response.content.decode()
        if persona in allowed:
            assert response.status_code == 200, url
        else:
            assert response.status_code in (302, 403), url
            assert "School A" not in body, url
        # Trust Y's school is present in the database and never shown in trust X's console.
        if url.startswith("/trust/"):
            assert "School C" not in body, url


def test_a_post_from_another_schools_editor_changes_nothing(world, client):
    with tenant_context(world.school_a):
        notice = Notice.objects.get()
    connection.set_schema_to_public()
    client.force_login(world.editor_b)
    response = client.post(f"/admin/notices/notice/{notice.pk}/revert/1/", {}, HTTP_HOST=host(world.school_a))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    response = client.post(
        f"/admin/notices/notice/{notice.pk}/publish/", {"summary": "x"}, HTTP_HOST=host(world.school_a)
    )
    assert response["Location"].startswith("/admin/login/")
    with tenant_context(world.school_a):
        assert NoticeVersion.objects.count() == 1


PAYLOADS = ['<script>alert("xss")</script>', '<img src=x onerror="alert(1)">', '"><svg onload=alert(1)>']


def poison(notice):
    """Put script and event-handler payloads into every text field of every content model."""
    payload = " ".join(PAYLOADS)
    for model in (Notice, DataCategory, LawfulBasis, Purpose, System, RetentionRule, Recipient, Right, Section):
        rows = [notice] if model is Notice else model.objects.filter(notice=notice)
        for row in rows:
            for field in row._meta.concrete_fields:
                long_enough = field.max_length is None or field.max_length >= 150
                if field.get_internal_type() in ("CharField", "TextField") and not field.choices and long_enough:
                    setattr(row, field.name, f"{getattr(row, field.name)} {payload}")
            row.save()
    section = Section.objects.filter(notice=notice).first()
    section.body += '\n\n[click me](javascript:alert(1)) <a href="https://x.example" onclick="alert(1)">x</a>'
    section.save()


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the page."""

    def __init__(self):
        super().__init__()
        self.tags, self.attributes = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += attrs


def assert_inert(html):
    parsed = _Elements()
    parsed.feed(html)
    assert "script" not in parsed.tags
    assert "img" not in parsed.tags
    assert "svg" not in parsed.tags
    assert not [name for name, _ in parsed.attributes if name.startswith("on")]
    assert not [value for name, value in parsed.attributes if name == "href" and "javascript:" in (value or "").lower()]


def test_xss_payloads_in_every_field_come_out_inert_everywhere(world, client, django_capture_on_commit_callbacks):
    with tenant_context(world.school_a):
        notice = Notice.objects.get()
        poison(notice)
        document = compose_notice(notice, school=world.school_a)
        assert_inert(render_notice_html(document))
        with django_capture_on_commit_callbacks(execute=True):
            version = publish_notice(notice, user=world.publisher_x, summary=PAYLOADS[0], force=True)
        pdf = PdfReader(version.pdf.open("rb"))
    connection.set_schema_to_public()
    public = client.get("/privacy/pupils-and-parents/", HTTP_HOST=host(world.school_a)).content.decode()
    assert "&lt;script&gt;" in public  # shown as text, not run
    assert_inert(public)
    for path in ("/privacy/pupils-and-parents/versions/", "/privacy/pupils-and-parents/changes/1...2/", "/"):
        assert_inert(client.get(path, HTTP_HOST=host(world.school_a)).content.decode())
    client.force_login(world.editor_a)
    assert_inert(
        client.get(f"/admin/notices/notice/{notice.pk}/preview/", HTTP_HOST=host(world.school_a)).content.decode()
    )
    # JSON carries the text as data; a JSON consumer gets strings, never markup it must trust.
    payload = client.get("/privacy/pupils-and-parents.json", HTTP_HOST=host(world.school_a))
    assert payload["Content-Type"] == "application/json"
    data = json.loads(payload.content)
    assert PAYLOADS[0] in data["document"]["summary"]
    # The PDF holds the payload as plain text and has no JavaScript actions.
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "alert" in text
    assert "/JavaScript" not in str(pdf.trailer["/Root"])
    assert "/OpenAction" not in pdf.trailer["/Root"]


@pytest.mark.parametrize(
    ("hostname", "statuses"),
    [
        ("evil.example.com", {400}),
        ("school-a.localhost:notaport", {400}),
        ("school-a.localhost\r\nX-Injected: 1", {400}),
        ("", {400}),
        ("school-z.localhost", {404}),
        ("127.0.0.1", {400}),
        ("[::1]", {400}),
    ],
)
def test_unknown_malformed_and_spoofed_hosts_are_refused(world, client, hostname, statuses):
    response = client.get("/privacy/pupils-and-parents/", HTTP_HOST=hostname)
    assert response.status_code in statuses
    assert b"MarkerA" not in response.content


def test_a_forwarded_host_header_cannot_pick_another_school(world, client):
    response = client.get(
        "/privacy/pupils-and-parents/", HTTP_HOST=host(world.school_b), HTTP_X_FORWARDED_HOST=host(world.school_a)
    )
    assert b"MarkerB" in response.content
    assert b"MarkerA" not in response.content


@pytest.mark.parametrize("visit", ["rendered by the view", "answered from the page cache"])
def test_pages_send_a_strict_content_security_policy(world, client, visit):
    response = client.get("/privacy/pupils-and-parents/", HTTP_HOST=host(world.school_a))
    if visit == "answered from the page cache":
        response = client.get("/privacy/pupils-and-parents/", HTTP_HOST=host(world.school_a))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    admin = client.get("/admin/login/", HTTP_HOST=host(world.school_a))
    nonce = re.search(r"'nonce-([^']+)'", admin["Content-Security-Policy"])
    assert nonce
    assert "unsafe-inline" not in admin["Content-Security-Policy"]
