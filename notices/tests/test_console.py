"""The trust console: publishers see every school of their trust and publish one notice or all of them."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult
from django_tenants.utils import tenant_context

from notices.models import Notice, NoticeVersion, Right, System
from notices.publishing import publish_notice
from tenants.models import AuditEvent, PublishRun

pytestmark = pytest.mark.django_db
CONSOLE = "/trust/trust-x/"


def edit_system(school, name):
    with tenant_context(school):
        System.objects.update(name=name)
    connection.set_schema_to_public()


def versions(school):
    with tenant_context(school):
        numbers = list(NoticeVersion.objects.order_by("number").values_list("number", flat=True))
    connection.set_schema_to_public()
    return numbers


def test_console_lists_each_school_with_live_version_changes_completeness_and_review(world, client):
    edit_system(world.school_b, "Changed in B")
    with tenant_context(world.school_a):
        Notice.objects.update(review_by="2020-01-01")
        publish_notice(Notice.objects.get(), user=world.publisher_x, summary="Review date.")
    connection.set_schema_to_public()
    client.force_login(world.publisher_x)
    response = client.get(CONSOLE, HTTP_HOST="localhost")
    html = response.content.decode()
    assert response.status_code == 200
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", html, re.S)
    assert [r.split("<")[0] for r in rows] == ["School A", "School B"]
    assert "Version 2," in rows[0]
    assert "Version 1," in rows[1]
    assert "<td>No</td>" in rows[0]
    assert "<strong>Yes</strong>" in rows[1]
    assert "(overdue)" in rows[0]
    assert "(overdue)" not in rows[1]
    assert "Complete" in rows[0]
    assert "School C" not in html
    assert "Publish 1 notice" in html


def test_console_shows_missing_checklist_items(world, client):
    with tenant_context(world.school_a):
        Right.objects.filter(right="complain_ico").delete()
    connection.set_schema_to_public()
    client.force_login(world.publisher_x)
    assert "Missing items 10" in client.get(CONSOLE, HTTP_HOST="localhost").content.decode()


@pytest.mark.parametrize("persona", ["editor_a", "publisher_y", "platform_admin"])
def test_console_is_for_the_trusts_publishers_only(world, client, persona):
    client.force_login(getattr(world, persona))
    response = client.get(CONSOLE, HTTP_HOST="localhost")
    assert response.status_code == 403
    assert "School A" not in response.content.decode()


def test_console_asks_anonymous_visitors_to_sign_in(world, client):
    response = client.get(CONSOLE, HTTP_HOST="localhost")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={CONSOLE}"


def test_unknown_trust_is_a_404(world, client):
    client.force_login(world.publisher_x)
    assert client.get("/trust/no-such-trust/", HTTP_HOST="localhost").status_code == 404


def test_publish_one_school_from_the_console(world, client):
    edit_system(world.school_a, "New in A")
    client.force_login(world.publisher_x)
    url = "/trust/trust-x/publish/school-a/pupils-and-parents/"
    page = client.get(url, HTTP_HOST="localhost")
    assert "New in A" in page.content.decode()  # the console shows the same diff as the admin
    data = {**page.context["form"].initial, "summary": "Added a system.", "material": "on"}
    response = client.post(url, data, HTTP_HOST="localhost")
    assert response.status_code == 302
    assert versions(world.school_a) == [1, 2]
    assert versions(world.school_b) == [1]


def test_publish_one_refuses_a_school_of_another_trust(world, client):
    client.force_login(world.publisher_x)
    url = "/trust/trust-x/publish/school-c/pupils-and-parents/"
    assert client.post(url, {"summary": "x"}, HTTP_HOST="localhost").status_code == 404
    assert versions(world.school_c) == [1]


def test_bulk_publish_runs_in_the_background_and_reports_each_school(world, client, django_capture_on_commit_callbacks):
    edit_system(world.school_a, "New in A")
    edit_system(world.school_b, "New in B")
    with tenant_context(world.school_b):
        Right.objects.filter(right="access").delete()  # B will fail the completeness check
    connection.set_schema_to_public()
    client.force_login(world.publisher_x)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CONSOLE, {"summary": "Termly update.", "material": "on"}, HTTP_HOST="localhost")
    run = PublishRun.objects.get()
    assert response["Location"] == f"/trust/trust-x/runs/{run.pk}/"
    # Queued, not yet done: the request did not wait for the PDFs.
    page = client.get(response["Location"], HTTP_HOST="localhost").content.decode()
    assert 'value="0"' in page
    assert "js/progress.js" in page
    assert client.get(f"/trust/trust-x/runs/{run.pk}.json", HTTP_HOST="localhost").json() == {
        "status": "queued",
        "finished": 0,
        "total": 2,
    }
    # One task per school, so that free workers share the run; the first to run publishes what it can.
    queued = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [task.task_path for task in queued] == ["notices.tasks.run_trust_publish"] * 2
    # What the worker (`manage.py run_worker`) does with a queued row, minus its connection handling.
    for task in queued:
        task.task.call(*task.args_kwargs["args"], **task.args_kwargs["kwargs"])
    page = client.get(response["Location"], HTTP_HOST="localhost").content.decode()
    assert 'max="2" value="2"' in page
    assert "Published version 2" in page
    assert "<strong>Failed:</strong>" in page
    assert "School B" in page
    assert versions(world.school_a) == [1, 2]
    assert versions(world.school_b) == [1]
    assert AuditEvent.objects.filter(action="publish_failed", school=world.school_b).exists()
    assert AuditEvent.objects.filter(action="bulk_publish", trust=world.trust_x).exists()


def test_publish_trust_command_prints_progress_and_names_failures(world):
    edit_system(world.school_a, "New in A")
    edit_system(world.school_b, "New in B")
    with tenant_context(world.school_b):
        Right.objects.filter(right="access").delete()
    connection.set_schema_to_public()
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"1 of 2 failed: School B \(pupils-and-parents\)"):
        call_command("publish_trust", "trust-x", "--summary", "Termly update.", stdout=out)
    assert "[###############...............] 1/2 School A / pupils-and-parents: v2" in out.getvalue()
    assert versions(world.school_a) == [1, 2]


def test_publish_trust_command_refuses_bad_input(world):
    with pytest.raises(CommandError, match="No trust with slug 'nope'"):
        call_command("publish_trust", "nope", "--summary", "x")
    with pytest.raises(CommandError, match="only publishers may publish"):
        call_command("publish_trust", "trust-x", "--summary", "x", "--user", "editor-a@example.org")
    with pytest.raises(CommandError, match="Say what changed"):
        call_command("publish_trust", "trust-x", "--summary", "  ")


def test_a_bulk_run_skips_a_notice_published_by_hand_after_it_was_planned(world, client):
    from notices.bulk import execute_publish_run, plan_trust_publish

    edit_system(world.school_a, "Planned change in A")
    edit_system(world.school_b, "Planned change in B")
    run = plan_trust_publish(world.trust_x, user=world.publisher_x, summary="Termly update.")
    with tenant_context(world.school_a):
        publish_notice(Notice.objects.get(), user=world.publisher_x, summary="Published by hand first.")
    connection.set_schema_to_public()
    run = execute_publish_run(run)
    items = {item.school.slug: item for item in run.items.select_related("school")}
    assert items["school-a"].status == "skipped"
    assert "Version 2 was published after" in items["school-a"].message
    assert items["school-b"].status == "published"
    assert versions(world.school_a) == [1, 2]
    assert versions(world.school_b) == [1, 2]


def test_a_bulk_run_skips_a_notice_edited_after_it_was_planned(world):
    from notices.bulk import execute_publish_run, plan_trust_publish

    edit_system(world.school_a, "Planned change in A")
    run = plan_trust_publish(world.trust_x, user=world.publisher_x, summary="Termly update.")
    edit_system(world.school_a, "Unreviewed change after planning")
    run = execute_publish_run(run)
    (item,) = run.items.all()
    assert item.status == "skipped"
    assert "The draft changed after you reviewed it" in item.message
    assert versions(world.school_a) == [1]


def test_a_bulk_run_rechecks_the_publishers_role_when_it_executes(world):
    from notices.bulk import execute_publish_run, plan_trust_publish
    from tenants.models import Membership

    edit_system(world.school_a, "Planned change in A")
    run = plan_trust_publish(world.trust_x, user=world.publisher_x, summary="Termly update.")
    Membership.objects.filter(user=world.publisher_x, trust=world.trust_x).delete()
    run = execute_publish_run(run)
    (item,) = run.items.all()
    assert item.status == "skipped"
    assert "no longer publishes" in item.message
    assert versions(world.school_a) == [1]
