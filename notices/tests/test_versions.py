"""publish_notice: numbered, complete, immutable versions; revert; the command."""

import hashlib
import io
import os

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django_tenants.utils import tenant_context

from conftest import change_draft, host, owner_cursor, run_manage
from notices.compose import compose_notice
from notices.models import Notice, NoticeVersion, Right, System
from notices.publishing import PublishFailed, PublishRefused, publish_notice, revert_notice
from notices.rendering import render_notice_html
from tenants.appendonly import AppendOnlyError
from tenants.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_school_a(world):
    with tenant_context(world.school_a):
        yield Notice.objects.get()
    connection.set_schema_to_public()


def test_publish_freezes_document_html_and_pdf_as_the_next_version(world, in_school_a):
    notice = in_school_a
    change_draft(notice)
    version = publish_notice(notice, user=world.publisher_x, summary="Second.")
    document = compose_notice(notice, school=world.school_a)
    assert version.number == 2
    assert version.document == document.to_dict()
    assert version.html == render_notice_html(document)
    assert version.published_by == world.publisher_x
    assert version.material is True
    assert version.forced is False
    with version.pdf.open("rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == version.pdf_sha256
    expected = os.path.join(settings.MEDIA_ROOT, "school_a", "notices", str(notice.pk))
    assert version.pdf.path == os.path.join(expected, f"v2-{version.pdf_sha256[:16]}.pdf")
    assert version.pdf_filename == "school-a-pupils-and-parents-v2.pdf"


def test_version_numbers_are_consecutive_per_notice_and_never_duplicated(world, in_school_a):
    notice = in_school_a
    numbers = []
    for n in (2, 3):
        change_draft(notice, f"Change {n}.")
        numbers.append(publish_notice(notice, user=None, summary=f"v{n}").number)
    assert numbers == [2, 3]
    with pytest.raises(IntegrityError), transaction.atomic():
        NoticeVersion.objects.create(
            notice=notice,
            number=3,
            document={},
            html="",
            pdf="x.pdf",
            pdf_sha256="0",
            summary="dup",
            published_at=notice.versions.first().published_at,
            effective_at=notice.versions.first().published_at,
        )


def test_numbers_in_one_school_do_not_affect_another(world, in_school_a):
    change_draft(in_school_a)
    publish_notice(in_school_a, user=None, summary="A only")
    with tenant_context(world.school_b):
        assert list(NoticeVersion.objects.values_list("number", flat=True)) == [1]


def test_incomplete_notice_is_refused_and_leaves_nothing_behind(world, in_school_a):
    notice = in_school_a
    Right.objects.filter(notice=notice).delete()
    media = os.path.join(settings.MEDIA_ROOT, "school_a", "notices", str(notice.pk))
    before = sorted(os.listdir(media))
    with pytest.raises(PublishRefused) as refused:
        publish_notice(notice, user=world.publisher_x, summary="Broken")
    assert any("8. The rights people have" in p for p in refused.value.problems)
    assert any("add it under Rights" in p for p in refused.value.problems)
    assert NoticeVersion.objects.filter(notice=notice).count() == 1
    assert sorted(os.listdir(media)) == before


def test_force_publishes_an_incomplete_notice_and_records_it(world, in_school_a):
    Right.objects.filter(notice=in_school_a).delete()
    version = publish_notice(in_school_a, user=world.publisher_x, summary="Forced", force=True)
    assert version.forced is True


def test_a_summary_is_required(world, in_school_a):
    with pytest.raises(PublishRefused, match="Say what changed"):
        publish_notice(in_school_a, user=world.publisher_x, summary="  ")


def test_a_wording_fix_is_recorded_as_non_material(world, in_school_a):
    change_draft(in_school_a)
    assert publish_notice(in_school_a, user=None, summary="Typo", material=False).material is False


def test_published_versions_refuse_changes_in_the_model(world, in_school_a):
    version = NoticeVersion.objects.get(notice=in_school_a, number=1)
    version.summary = "rewritten"
    with pytest.raises(AppendOnlyError):
        version.save()
    with pytest.raises(AppendOnlyError):
        version.delete()
    with pytest.raises(AppendOnlyError):
        NoticeVersion.objects.filter(pk=version.pk).update(summary="rewritten")
    with pytest.raises(AppendOnlyError):
        NoticeVersion.objects.filter(pk=version.pk).delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE notices_noticeversion SET summary = 'rewritten'",
        "DELETE FROM notices_noticeversion",
        "TRUNCATE notices_noticeversion CASCADE",
    ],
)
def test_published_versions_refuse_raw_sql_updates_deletes_and_truncation(world, in_school_a, sql):
    with pytest.raises(IntegrityError, match="immutable"), owner_cursor("school_a") as cursor:
        cursor.execute(sql)
    assert NoticeVersion.objects.get(number=1).summary == "First version for school a."


def test_the_admin_shows_versions_read_only(world, client, in_school_a):
    version = NoticeVersion.objects.get(number=1)
    connection.set_schema_to_public()
    client.force_login(world.publisher_x)
    url = f"/admin/notices/noticeversion/{version.pk}/change/"
    page = client.get(url, HTTP_HOST=host(world.school_a)).content.decode()
    assert 'name="_save"' not in page
    assert "First version for school a." in page
    assert client.post(url, {"summary": "rewritten"}, HTTP_HOST=host(world.school_a)).status_code == 403
    delete = client.post(f"{url.replace('change/', 'delete/')}", {"post": "yes"}, HTTP_HOST=host(world.school_a))
    assert delete.status_code == 403
    with tenant_context(world.school_a):
        assert NoticeVersion.objects.get(pk=version.pk).summary == "First version for school a."


def test_revert_loads_an_old_version_into_the_draft_and_publishing_makes_a_new_one(world, in_school_a):
    notice = in_school_a
    system = System.objects.get(notice=notice)
    system.name = "Replaced"
    system.save()
    v2 = publish_notice(notice, user=world.publisher_x, summary="Replaced the system")
    v1 = NoticeVersion.objects.get(notice=notice, number=1)
    revert_notice(notice, v1, user=world.editor_a)
    system.refresh_from_db()
    assert system.name == "MarkerA Records System"
    latest_history = system.history.first()
    assert latest_history.history_change_reason == "Reverted to version 1"
    assert latest_history.history_user == world.editor_a
    assert NoticeVersion.objects.filter(notice=notice).count() == 2
    v3 = publish_notice(notice, user=world.publisher_x, summary="Back to version 1")
    assert v3.number == 3
    v3 = NoticeVersion.objects.get(pk=v3.pk)
    for register in ("categories", "bases", "purposes", "systems", "retention", "recipients", "rights", "sections"):
        assert v3.document[register] == v1.document[register], register
    assert NoticeVersion.objects.get(pk=v2.pk).document != v3.document


def run_command(*args):
    out = io.StringIO()
    call_command("publish_notice", *args, stdout=out)
    return out.getvalue()


def _change_school_a_draft(world, words):
    with tenant_context(world.school_a):
        change_draft(Notice.objects.get(), words)
    connection.set_schema_to_public()


def test_publish_command_prints_the_version_and_the_pdf_hash(world):
    _change_school_a_draft(world, "First edit.")
    output = run_command(
        "school-a", "pupils-and-parents", "--summary", "From the command", "--user", "publisher-x@example.org"
    )
    with tenant_context(world.school_a):
        version = NoticeVersion.objects.get(number=2)
    assert "version 2" in output
    assert f"PDF SHA-256: {version.pdf_sha256}" in output
    assert version.published_by == world.publisher_x
    _change_school_a_draft(world, "Second edit.")
    output = run_command("school-a", "pupils-and-parents", "--summary", "Typo", "--non-material")
    with tenant_context(world.school_a):
        version = NoticeVersion.objects.get(number=3)
    assert version.material is False
    assert version.published_by is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere", "pupils-and-parents", "--summary", "x"], "No school with slug 'nowhere'. Known schools:"),
        (
            ["school-a", "nothing", "--summary", "x"],
            "School A has no notice 'nothing'. Its notices: pupils-and-parents",
        ),
        (["school-a", "pupils-and-parents", "--summary", " "], "Say what changed"),
        (["school-a", "pupils-and-parents", "--summary", "x", "--user", "ghost@example.org"], "No active account"),
        (["school-a", "pupils-and-parents", "--summary", "x", "--user", "editor-a@example.org"], "only publishers"),
        (["school-a", "pupils-and-parents", "--summary", "x", "--user", "publisher-y@example.org"], "only publishers"),
    ],
)
def test_publish_command_fails_clearly_on_bad_input(world, args, message):
    with pytest.raises(CommandError, match=message):
        run_command(*args)
    with tenant_context(world.school_a):
        assert NoticeVersion.objects.count() == 1


def test_publish_command_lists_failures_and_force_overrides_them(world):
    with tenant_context(world.school_a):
        Right.objects.all().delete()
    connection.set_schema_to_public()
    with pytest.raises(CommandError, match="Not published:\n  - 8. The rights people have"):
        run_command("school-a", "pupils-and-parents", "--summary", "x")
    output = run_command("school-a", "pupils-and-parents", "--summary", "x", "--force")
    assert "recorded on the version" in output


def _pdf_files(notice):
    from django.core.files.storage import default_storage

    folder = f"notices/{notice.pk}"
    return set(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else set()


def test_a_pdf_that_fails_to_render_publishes_nothing_and_leaves_no_file(world, in_school_a, monkeypatch):
    from notices import pdf as pdf_module

    files = _pdf_files(in_school_a)
    change_draft(in_school_a)
    monkeypatch.setattr(pdf_module, "pdf_html", lambda *a, **k: '<html><link rel="stylesheet" href="gone.css"></html>')
    with pytest.raises(PublishFailed, match="The PDF could not be made"):
        publish_notice(in_school_a, user=world.publisher_x, summary="Will fail.")
    assert NoticeVersion.objects.count() == 1
    assert _pdf_files(in_school_a) == files
    failed = AuditEvent.objects.filter(action=AuditEvent.Action.PUBLISH_FAILED, school=world.school_a).latest("at")
    assert "gone.css" in failed.details["error"]


def test_a_version_that_cannot_be_stored_leaves_no_pdf_behind(world, in_school_a, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise IntegrityError("simulated: the row could not be written")

    files = _pdf_files(in_school_a)
    change_draft(in_school_a)
    monkeypatch.setattr(NoticeVersion, "save", refuse)
    with pytest.raises(IntegrityError):
        publish_notice(in_school_a, user=world.publisher_x, summary="Will fail.")
    assert _pdf_files(in_school_a) == files


def test_the_publish_command_exits_with_status_1_and_no_traceback_on_bad_input(world):
    result = run_manage("publish_notice", "nowhere", "pupils-and-parents", "--summary", "x")
    assert result.returncode == 1
    assert "No school with slug 'nowhere'" in result.stderr
    # Other tests may have provisioned more schools in the shared test world.
    known = result.stderr.split("Known schools:", 1)[1]
    assert {"school-a", "school-b", "school-c"} <= {slug.strip(" .\n") for slug in known.split(",")}
    assert "Traceback" not in result.stderr
