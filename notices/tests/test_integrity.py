"""Published is exactly what was published: identity, frozen pages, publish once, withdrawal and redaction."""

import hashlib
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import tenant_context

from conftest import change_draft, host, owner_cursor
from notices.demo import load_notice
from notices.models import Notice, NoticeVersion, System, Withdrawal
from notices.pdf import render_pdf
from notices.publishing import NothingToPublish, PublishRefused, pending_change, publish_notice
from notices.tests.factories import notice_data
from notices.withdrawal import redact_version, withdraw_version
from tenants import audit
from tenants.models import AuditEvent, School

pytestmark = pytest.mark.django_db
SLUG = "pupils-and-parents"
PUBLIC_PATHS = (
    "/",
    f"/privacy/{SLUG}/",
    f"/privacy/{SLUG}.json",
    f"/privacy/{SLUG}/versions/",
    f"/privacy/{SLUG}/versions/1/",
)


def _get(client, school, path):
    return client.get(path, HTTP_HOST=host(school))


def _sha(version):
    with default_storage.open(version.pdf.name, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_reusing_an_old_slug_never_touches_another_notices_files(world):
    with tenant_context(world.school_a):
        first = Notice.objects.get(slug=SLUG)
        v1 = first.versions.get(number=1)
        # A notice that was never published may still be renamed; the first one cannot be (see below).
        other = load_notice(notice_data("Other", slug="draft-notice"))
        Notice.objects.filter(pk=other.pk).update(slug="old-slug")
        second = load_notice(notice_data("Second", slug="draft-notice"))
        publish_notice(second, user=world.publisher_x, summary="First of the second notice.")
        assert _sha(v1) == v1.pdf_sha256
        assert v1.pdf.name != second.versions.get().pdf.name
        assert str(first.pk) in v1.pdf.name
        assert SLUG not in v1.pdf.name


def test_a_published_notice_keeps_its_slug_even_against_raw_sql(world):
    with tenant_context(world.school_a):
        notice = Notice.objects.get(slug=SLUG)
        with pytest.raises(DatabaseError, match="keeps its slug"), transaction.atomic():
            Notice.objects.filter(pk=notice.pk).update(slug="renamed")


def test_the_draft_title_and_todays_school_name_never_reach_a_public_page(world, client):
    with tenant_context(world.school_a):
        notice = Notice.objects.get(slug=SLUG)
        Notice.objects.filter(pk=notice.pk).update(title="UNPUBLISHED DRAFT TITLE")
    connection.set_schema_to_public()
    School.objects.filter(pk=world.school_a.pk).update(name="Renamed Academy")
    for path in PUBLIC_PATHS:
        body = _get(client, world.school_a, path).content.decode()
        assert "UNPUBLISHED DRAFT TITLE" not in body, path
        if path != "/":  # the school's home page is about the school now; notice pages are about the version
            assert "Renamed Academy" not in body, path
    assert "Privacy notice for pupils and parents" in _get(client, world.school_a, f"/privacy/{SLUG}/").content.decode()


def test_publish_freezes_the_school_and_trust_as_they_are_in_the_database_not_a_cached_copy(world):
    School.objects.filter(pk=world.school_a.pk).update(headteacher="Newly Appointed Head")
    stale = world.school_a  # the object a cached host lookup would hand over
    with tenant_context(stale):
        notice = Notice.objects.get(slug=SLUG)
        version = publish_notice(notice, user=world.publisher_x, summary="New head.")
    assert version.document["school"]["headteacher"] == "Newly Appointed Head"


def test_publishing_twice_without_a_change_is_refused(world):
    with tenant_context(world.school_a):
        notice = Notice.objects.get(slug=SLUG)
        with pytest.raises(NothingToPublish):
            publish_notice(notice, user=world.publisher_x, summary="Again.")
        change_draft(notice)
        assert publish_notice(notice, user=world.publisher_x, summary="Real.").number == 2
        with pytest.raises(NothingToPublish):
            publish_notice(notice, user=world.publisher_x, summary="Again.")
        assert notice.versions.count() == 2


def test_whitespace_edits_are_neither_pending_nor_publishable_and_reordering_is_both(world):
    with tenant_context(world.school_a):
        notice = Notice.objects.get(slug=SLUG)
        Notice.objects.filter(pk=notice.pk).update(summary=notice.summary.replace(" ", "  ") + "\n")
        assert not pending_change(notice, school=world.school_a).has_changes
        with pytest.raises(NothingToPublish):
            publish_notice(notice, user=world.publisher_x, summary="Spaces.")
        rights = list(notice.rights.order_by("order"))
        rights[0].order, rights[1].order = rights[1].order, rights[0].order
        for row in rights[:2]:
            row.save()
        change = pending_change(notice, school=world.school_a)
        assert change.has_changes
        assert any(r.moved for r in change.diff.registers)


@pytest.mark.django_db(transaction=True)
def test_concurrent_publishes_of_one_change_make_exactly_one_version(world):
    school = world.school_b
    with tenant_context(school):
        notice = Notice.objects.get(slug=SLUG)
        before = notice.versions.count()
        System.objects.filter(notice=notice).update(used_for="pupil records (concurrent test)")
    connection.set_schema_to_public()
    results, start = [], threading.Barrier(3)

    def publish():
        try:
            with tenant_context(school):
                start.wait(timeout=30)
                results.append(publish_notice(notice, user=world.publisher_x, summary="Race.").number)
        except PublishRefused as exc:
            results.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    with tenant_context(school):
        numbers = sorted(notice.versions.values_list("number", flat=True))
    assert numbers == list(range(1, before + 2))
    assert sorted(map(str, results)) == sorted([str(before + 1), "NothingToPublish", "NothingToPublish"])


def test_one_threads_failing_render_never_fails_another_threads_good_render(world):
    from notices.compose import compose_notice

    with tenant_context(world.school_a):
        document = compose_notice(Notice.objects.get(slug=SLUG), school=world.school_a)
    outcomes = {}

    def good():
        outcomes["good"] = len(render_pdf(document, version_number=9, published_on=None)) > 1000

    def noisy():
        import logging

        for _ in range(200):
            logging.getLogger("weasyprint").error("another render's problem")

    threads = [threading.Thread(target=good), threading.Thread(target=noisy)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert outcomes == {"good": True}


def test_withdrawal_answers_410_with_the_reason_and_the_archive_keeps_a_line(world, client):
    with tenant_context(world.school_a):
        notice = Notice.objects.get(slug=SLUG)
        change_draft(notice)
        v2 = publish_notice(notice, user=world.publisher_x, summary="Second.")
        withdraw_version(v2, by=world.platform_admin, reason="Published to the wrong school.")
    connection.set_schema_to_public()
    for path in (f"/privacy/{SLUG}/versions/2/", f"/privacy/{SLUG}/versions/2.pdf", f"/privacy/{SLUG}/changes/1...2/"):
        response = _get(client, world.school_a, path)
        assert response.status_code == 410, path
        assert "Published to the wrong school." in response.content.decode()
        assert f'href="/privacy/{SLUG}/"' in response.content.decode()
    current = _get(client, world.school_a, f"/privacy/{SLUG}/").content.decode()
    assert "Version 1, published" in current
    archive = _get(client, world.school_a, f"/privacy/{SLUG}/versions/").content.decode()
    assert "Version 2 (withdrawn)" in archive
    assert "Version 1 (current)" in archive
    assert "Published to the wrong school." in archive
    event = AuditEvent.objects.filter(action=AuditEvent.Action.WITHDRAW).latest("at")
    assert event.actor == world.platform_admin
    assert event.details["version"] == 2


def test_redaction_removes_the_content_for_good_and_keeps_the_record(world, client):
    with tenant_context(world.school_a):
        notice = Notice.objects.get(slug=SLUG)
        Notice.objects.filter(pk=notice.pk).update(summary="Pupil Jane Doe, born 1 May 2015, has asthma.")
        leaked = publish_notice(notice, user=world.publisher_x, summary="Oops.")
        old_sha = leaked.pdf_sha256
        redact_version(leaked, by=world.platform_admin, reason="A pupil's health details were pasted in.")
        after = NoticeVersion.objects.get(pk=leaked.pk)
        assert "Jane Doe" not in after.html
        assert "Jane Doe" not in str(after.document)
        assert after.redacted_at is not None
        assert after.pdf_sha256 != old_sha
        assert _sha(after) == after.pdf_sha256
        assert Withdrawal.objects.filter(version=after, redacted=True).exists()
    connection.set_schema_to_public()
    response = _get(client, world.school_a, f"/privacy/{SLUG}/versions/2/")
    assert response.status_code == 410
    assert "Jane Doe" not in response.content.decode()
    for path in PUBLIC_PATHS[:4]:
        assert "Jane Doe" not in _get(client, world.school_a, path).content.decode()
    event = AuditEvent.objects.filter(action=AuditEvent.Action.REDACT).latest("at")
    assert event.details["removed"]["pdf_sha256"] == old_sha
    assert event.details["reason"] == "A pupil's health details were pasted in."


def test_only_a_platform_admin_may_withdraw_or_redact(world):
    with tenant_context(world.school_a):
        v1 = NoticeVersion.objects.get(number=1)
        for persona in (world.editor_a, world.publisher_x, world.editor_b):
            for act in (withdraw_version, redact_version):
                with pytest.raises(PermissionDenied):
                    act(v1, by=persona, reason="Not mine to take down.")
        with pytest.raises(PublishRefused, match="Say why"):
            withdraw_version(v1, by=world.platform_admin, reason=" ")
        assert not Withdrawal.objects.exists()


def test_a_version_can_only_be_rewritten_by_the_redaction_on_record_even_with_raw_sql(world):
    with tenant_context(world.school_a):
        v1 = NoticeVersion.objects.get(number=1)
        with pytest.raises(DatabaseError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE notices_noticeversion SET html = 'forged', redacted_at = now() WHERE id = %s", [v1.pk]
            )
        with transaction.atomic():
            w = Withdrawal.objects.create(version=v1, reason="x", at=v1.published_at)
            # The app role is refused by its grants; the owner by the trigger.
            with pytest.raises(DatabaseError), connection.cursor() as cursor:
                cursor.execute("DELETE FROM notices_withdrawal WHERE id = %s", [w.pk])
            transaction.set_rollback(True)
    with owner_cursor(world.school_a.schema_name) as cursor, pytest.raises(DatabaseError, match="part of the record"):
        cursor.execute("TRUNCATE notices_withdrawal")


def _aged_entry(cursor, email, days):
    cursor.execute(
        "INSERT INTO public.tenants_auditevent (at, actor_email, action, details)"
        " VALUES (now() - %s * interval '1 day', %s, 'login_failed', '{}') RETURNING id",
        [days, email],
    )
    return cursor.fetchone()[0]


def _exists(cursor, pk):
    cursor.execute("SELECT count(*) FROM public.tenants_auditevent WHERE id = %s", [pk])
    return cursor.fetchone()[0] == 1


def test_the_audit_log_purge_deletes_only_entries_past_retention_and_records_itself(world, settings):
    settings.AUDIT_RETENTION_DAYS = 400
    # As the owner role, the only one the log lets delete; the purge joins this transaction.
    with owner_cursor() as cursor:
        recent, between, old = (
            _aged_entry(cursor, e, d) for e, d in (("r@x.org", 0), ("b@x.org", 390), ("o@x.org", 500))
        )
        deleted = audit.purge_expired(by=world.platform_admin)
        assert deleted >= 1
        assert not _exists(cursor, old)
        assert _exists(cursor, between)
        assert _exists(cursor, recent)
    assert AuditEvent.objects.filter(action=audit.Action.AUDIT_PURGE, details__deleted=deleted).exists()


def test_entries_younger_than_a_year_survive_a_purge_even_if_asked(world):
    with owner_cursor() as cursor:
        recent = _aged_entry(cursor, "young@example.org", 30)
        cursor.execute("SET LOCAL portal.audit_purge = 'on'")
        cursor.execute("SAVEPOINT attempt")
        with pytest.raises(DatabaseError, match="append-only"):
            cursor.execute("DELETE FROM public.tenants_auditevent WHERE id = %s", [recent])
        cursor.execute("ROLLBACK TO SAVEPOINT attempt")
        assert _exists(cursor, recent)


def test_the_app_role_cannot_delete_from_the_audit_log_even_with_the_purge_switch(world):
    recent = audit.record(audit.Action.LOGIN_FAILED, actor_email="young@example.org")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL portal.audit_purge = 'on'")
        with pytest.raises(DatabaseError):
            cursor.execute("DELETE FROM tenants_auditevent WHERE id = %s", [recent.pk])
        transaction.set_rollback(True)
    assert AuditEvent.objects.filter(pk=recent.pk).exists()


def test_the_platform_admin_withdraws_from_the_portal_admin_and_nobody_else_reaches_the_page(world, client):
    url = f"/admin/versions/{world.school_a.pk}/"
    for persona in (world.editor_a, world.publisher_x):
        client.force_login(persona)
        assert client.get(url, HTTP_HOST="localhost").status_code in (302, 403)
    client.force_login(world.platform_admin)
    page = client.get(url, HTTP_HOST="localhost")
    assert page.status_code == 200
    with tenant_context(world.school_a):
        v1 = NoticeVersion.objects.get(number=1)
    connection.set_schema_to_public()
    assert (
        client.post(url, {"version": v1.pk, "act": "withdraw", "reason": ""}, HTTP_HOST="localhost").status_code == 200
    )
    response = client.post(url, {"version": v1.pk, "act": "withdraw", "reason": "Wrong school."}, HTTP_HOST="localhost")
    assert response.status_code == 302
    with tenant_context(world.school_a):
        assert Withdrawal.objects.get(version=v1).reason == "Wrong school."
    connection.set_schema_to_public()
    assert _get(client, world.school_a, f"/privacy/{SLUG}/").status_code == 410


def test_the_withdraw_command_needs_a_platform_admin_and_says_what_it_did(world):
    from conftest import run_manage

    refused = run_manage(
        "withdraw_version", "school-c", SLUG, "1", "--reason", "x", "--user", "publisher-y@example.org"
    )
    assert refused.returncode == 1
    assert "Only a platform admin" in refused.stderr
    assert "Traceback" not in refused.stderr
    missing = run_manage("withdraw_version", "school-c", SLUG, "7", "--reason", "x", "--user", "admin@example.org")
    assert missing.returncode == 1
    assert "has no version 7" in missing.stderr
