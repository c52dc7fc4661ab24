"""Ready for review: a school's editor asks the trust's publishers to review the draft and publish it."""

import logging
import socket

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from conftest import change_draft, host
from notices.models import Notice
from notices.publishing import publish_notice
from notices.review import ReviewRefused, request_review, review_pending
from tenants.models import AuditEvent

pytestmark = pytest.mark.django_db
SLUG = "pupils-and-parents"
CONSOLE_X = "/trust/trust-x/"
CONSOLE_Y = "/trust/trust-y/"


def notice_of(school):
    with tenant_context(school):
        notice = Notice.objects.get(slug=SLUG)
    connection.set_schema_to_public()
    return notice


def changed(school, words="Reworded for review."):
    with tenant_context(school):
        notice = Notice.objects.get(slug=SLUG)
        change_draft(notice, words)
    connection.set_schema_to_public()
    return notice


def ask(school, user, note=""):
    with tenant_context(school):
        request = request_review(Notice.objects.get(slug=SLUG), user=user, note=note)
    connection.set_schema_to_public()
    return request


def request_url(notice):
    return f"/admin/notices/notice/{notice.pk}/request-review/"


def requests_recorded(school):
    return AuditEvent.objects.filter(action=AuditEvent.Action.REVIEW_REQUESTED, school=school).count()


def test_an_editor_marks_the_draft_ready_and_only_the_trusts_publishers_are_emailed(
    world, client, mailoutbox, django_capture_on_commit_callbacks
):
    notice = changed(world.school_a)
    client.force_login(world.editor_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(request_url(notice), {"note": "New retention periods."}, HTTP_HOST=host(world.school_a))
    assert response.status_code == 302
    assert response["Location"] == f"/admin/notices/notice/{notice.pk}/overview/"
    event = AuditEvent.objects.get(action=AuditEvent.Action.REVIEW_REQUESTED)
    assert (event.actor, event.school, event.trust) == (world.editor_a, world.school_a, world.trust_x)
    assert event.details == {"notice": SLUG, "note": "New retention periods."}
    notice = notice_of(world.school_a)
    assert notice.review_requested_by == world.editor_a
    assert notice.review_note == "New retention periods."
    [message] = mailoutbox
    assert message.to == [world.publisher_x.email]
    assert message.subject == "Ready for review: School A, Privacy notice for pupils and parents"
    assert "New retention periods." in message.body
    assert f"http://localhost:8000/trust/trust-x/publish/school-a/{SLUG}/" in message.body


def test_getting_the_request_page_changes_nothing_and_shows_the_findings_and_diff(world, client, mailoutbox):
    notice = changed(world.school_a, "Shown on the request page.")
    client.force_login(world.editor_a)
    response = client.get(request_url(notice), HTTP_HOST=host(world.school_a))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Mark ready for review"' in html
    assert "Completeness check" in html
    assert "<ins>Shown</ins>" in html or "Shown on the request page." in html
    assert notice_of(world.school_a).review_requested_at is None
    assert requests_recorded(world.school_a) == 0
    assert mailoutbox == []


def test_nothing_to_publish_is_refused_with_a_clear_message(world, client, mailoutbox):
    notice = notice_of(world.school_a)
    client.force_login(world.editor_a)
    response = client.post(request_url(notice), {"note": ""}, HTTP_HOST=host(world.school_a))
    assert response.status_code == 200
    assert "There is nothing to review: the draft reads the same as the live version." in response.content.decode()
    with pytest.raises(ReviewRefused, match="nothing to review"):
        ask(world.school_a, world.editor_a)
    assert notice_of(world.school_a).review_requested_at is None
    assert requests_recorded(world.school_a) == 0
    assert mailoutbox == []


def test_the_trusts_console_shows_the_request_and_another_trusts_console_does_not(world, client):
    changed(world.school_a)
    ask(world.school_a, world.editor_a, note="Please check the new system.")
    client.force_login(world.publisher_x)
    html = client.get(CONSOLE_X, HTTP_HOST="localhost").content.decode()
    assert "Waiting for review (1)" in html
    assert "Please check the new system." in html
    row_a = html.split("School A</th>")[1].split("</tr>")[0]
    assert "Ready for review</strong> (asked by editor-a on " in row_a
    assert "Review and publish" in row_a
    row_b = html.split("School B</th>")[1].split("</tr>")[0]
    assert "Ready for review" not in row_b
    client.force_login(world.publisher_y)
    html = client.get(CONSOLE_Y, HTTP_HOST="localhost").content.decode()
    assert "Waiting for review" not in html
    assert "Ready for review" not in html
    assert "School A" not in html


def test_the_consoles_publish_page_shows_the_request_with_the_findings_and_diff(world, client):
    changed(world.school_a, "Seen by the publisher.")
    ask(world.school_a, world.editor_a, note="Ready when you are.")
    client.force_login(world.publisher_x)
    html = client.get(f"/trust/trust-x/publish/school-a/{SLUG}/", HTTP_HOST="localhost").content.decode()
    assert "Ready for review" in html
    assert "Asked by editor-a on " in html
    assert "Ready when you are." in html
    assert "Completeness check" in html
    assert "Seen by the publisher." in html or "<ins>Seen</ins>" in html


def test_the_school_admins_publish_page_shows_the_same_request_findings_and_diff(world, client):
    notice = changed(world.school_a, "Seen by the publisher.")
    ask(world.school_a, world.editor_a, note="Ready when you are.")
    client.force_login(world.publisher_x)
    html = client.get(f"/admin/notices/notice/{notice.pk}/publish/", HTTP_HOST=host(world.school_a)).content.decode()
    assert "Asked by editor-a on " in html
    assert "Ready when you are." in html
    assert html.count("Completeness check") == 1
    assert "Seen by the publisher." in html or "<ins>Seen</ins>" in html


def test_a_publish_after_the_request_answers_it(world, client):
    changed(world.school_a)
    ask(world.school_a, world.editor_a)
    with tenant_context(world.school_a):
        notice = Notice.objects.get(slug=SLUG)
        version = publish_notice(notice, user=world.publisher_x, summary="Reviewed and published.")
        assert review_pending(Notice.objects.get(slug=SLUG), version) is None
    connection.set_schema_to_public()
    client.force_login(world.publisher_x)
    html = client.get(CONSOLE_X, HTTP_HOST="localhost").content.decode()
    assert "Waiting for review" not in html
    assert "Ready for review" not in html


def test_a_request_made_after_the_last_publish_is_pending(world):
    changed(world.school_a)
    asked = ask(world.school_a, world.editor_a)
    with tenant_context(world.school_a):
        notice = Notice.objects.select_related("review_requested_by").get(slug=SLUG)
        latest = notice.versions.order_by("-number").first()
        assert review_pending(notice, latest) == asked
        assert review_pending(notice, None) == asked  # never published: any request waits


@pytest.mark.parametrize("persona", ["editor_b", "publisher_y"])
def test_someone_without_a_role_at_the_school_cannot_ask_for_its_review(world, client, mailoutbox, persona):
    notice = changed(world.school_a)
    client.force_login(getattr(world, persona))
    response = client.post(request_url(notice), {"note": "Not mine."}, HTTP_HOST=host(world.school_a))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    with pytest.raises(ReviewRefused, match="Only the school's editors"):
        ask(world.school_a, getattr(world, persona))
    assert notice_of(world.school_a).review_requested_at is None
    assert requests_recorded(world.school_a) == 0
    assert mailoutbox == []


def test_another_schools_editor_asking_on_their_own_host_reaches_only_their_own_notice(world, client):
    a = changed(world.school_a)
    changed(world.school_b)
    client.force_login(world.editor_b)
    # School B's host serves school B's schema: the id of A's notice names B's own notice, or nothing.
    client.post(request_url(a), {"note": "Mine."}, HTTP_HOST=host(world.school_b))
    assert notice_of(world.school_a).review_requested_at is None
    assert requests_recorded(world.school_a) == 0


def test_a_mail_server_that_refuses_loses_only_the_email(world, settings, caplog, django_capture_on_commit_callbacks):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": closed_port, "timeout": 5},
        }
    }
    changed(world.school_a)
    with caplog.at_level(logging.ERROR, logger="notices.review"), django_capture_on_commit_callbacks(execute=True):
        ask(world.school_a, world.editor_a)
    assert notice_of(world.school_a).review_requested_at is not None
    assert requests_recorded(world.school_a) == 1
    assert f"Could not email {world.publisher_x.email}" in caplog.text
