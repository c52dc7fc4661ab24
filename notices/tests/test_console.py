"""The trust console: publishers see every school of their trust and publish one notice or all of them."""

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult
from django_tenants.utils import tenant_context

from conftest import change_draft
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


# --- who is signed in, links, readability, review dates, trust items (issue 17) ------------------------------


def row_of(html, school_name):
    return html.split(f"{school_name}</th>")[1].split("</tr>")[0]


def console_html(client, world, url=CONSOLE):
    client.force_login(world.publisher_x)
    response = client.get(url, HTTP_HOST="localhost")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        CONSOLE,
        "/trust/trust-x/publish/school-a/pupils-and-parents/",
        "/trust/trust-x/settings/",
        "/trust/trust-x/templates/new/",
        "/trust/trust-x/webhooks/",
    ],
)
def test_every_console_page_says_who_is_signed_in_and_offers_log_out(world, client, url):
    html = console_html(client, world, url)
    assert (
        'Signed in as <strong>publisher-x</strong> <span class="staff-email">(publisher-x@example.org)</span>' in html
    )
    logout = re.search(r'<form method="post" action="/accounts/logout/".*?</form>', html, re.S)
    assert logout, "no log-out form"
    assert 'name="csrfmiddlewaretoken"' in logout.group()
    assert "Log out</button>" in logout.group()


def test_log_out_ends_the_session_and_returns_to_the_sign_in_page(world, client):
    console_html(client, world)
    response = client.post("/accounts/logout/", {"next": "/accounts/login/"}, HTTP_HOST="localhost")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.get(CONSOLE, HTTP_HOST="localhost").status_code == 302


def test_each_row_links_to_the_schools_admin_and_its_public_notice(world, client):
    with tenant_context(world.school_a):
        pk = Notice.objects.get().pk
    connection.set_schema_to_public()
    row = row_of(console_html(client, world), "School A")
    assert f'href="http://school-a.localhost/admin/notices/notice/{pk}/">School admin' in row
    assert 'href="http://school-a.localhost/privacy/pupils-and-parents/">Public notice' in row


def test_each_row_shows_the_notices_reading_age_against_the_target(world, client):
    from django.template.defaultfilters import floatformat

    from notices.compose import compose_notice
    from notices.readability import assess_document

    with tenant_context(world.school_a):
        readability = assess_document(compose_notice(Notice.objects.get(), school=world.school_a))
    connection.set_schema_to_public()
    assert readability.target == 14
    assert readability.overall.reading_age is not None  # the test notice has enough prose to score
    row = row_of(console_html(client, world), "School A")
    assert f"Reading age {floatformat(readability.overall.reading_age, 1)} (target 14)" in row


def test_long_prose_gets_a_reading_age_and_its_long_sentences_are_counted(world, client):
    from notices.models import Section

    long_sentence = " ".join(["the school keeps this information about your child"] * 5) + "."
    body = "We use it to teach. We keep it safe. We share it only when the law says so. " + long_sentence
    with tenant_context(world.school_a):
        Section.objects.filter(kind="collecting").update(body=body)
    connection.set_schema_to_public()
    row = row_of(console_html(client, world), "School A")
    assert re.search(r"Reading age \d+(\.\d)? \(target 14\)", row)
    assert re.search(r"; [1-9]\d* long sentences?", row)


def test_reviews_overdue_or_due_within_30_days_stand_out_in_words_and_marks(world, client):
    from django.utils import timezone

    today = timezone.localdate()
    for school, due in (
        (world.school_a, today - datetime.timedelta(days=1)),
        (world.school_b, today + datetime.timedelta(days=10)),
    ):
        with tenant_context(school):
            Notice.objects.update(review_by=due)
    connection.set_schema_to_public()
    html = console_html(client, world)
    assert '<span class="flag flag-overdue">' in row_of(html, "School A")
    assert "<strong>(overdue)</strong>" in row_of(html, "School A")
    assert '<span class="flag flag-soon">' in row_of(html, "School B")
    assert "<strong>(due soon)</strong>" in row_of(html, "School B")
    with tenant_context(world.school_b):
        Notice.objects.update(review_by=today + datetime.timedelta(days=31))
    connection.set_schema_to_public()
    row_b = row_of(console_html(client, world), "School B")
    assert "flag-" not in row_b.split("<td>")[-2]  # the review date's cell: nothing to flag
    assert "(due soon)" not in row_b


def test_hidden_trust_items_and_conflicts_stand_out(world, client):
    from notices import following
    from notices.registers import BY_ATTR
    from notices.releasing import release_template, template_from_school, workspace_context

    with tenant_context(world.school_a):
        source = Notice.objects.get()
    connection.set_schema_to_public()
    template = template_from_school(world.school_a, source, slug="pupils", title="Pupils", user=world.publisher_x)
    release_template(template, user=world.publisher_x, summary="First release.")
    with tenant_context(world.school_b):
        notice = Notice.objects.get()
        following.link_notice(notice, template, school=world.school_b, user=world.editor_b)
        notice = Notice.objects.get()
        row = System.objects.get(notice=notice, state="inherited")
        following.hide_item(notice, BY_ATTR["systems"], row.pk, user=world.editor_b, reason="Not ours.")
    connection.set_schema_to_public()
    row_b = row_of(console_html(client, world), "School B")
    assert '<strong class="flag flag-hidden">1 hidden from parents</strong>' in row_b
    assert "conflict" not in row_b
    # The trust rewords the item school B hid: a conflict to settle before B can publish, marked as such.
    with workspace_context(template):
        System.objects.filter(notice_id=template.notice_id, name=row.name).update(used_for="Reworded by the trust.")
    connection.set_schema_to_public()
    release_template(template, user=world.publisher_x, summary="Reworded a system.")
    row_b = row_of(console_html(client, world), "School B")
    assert '<strong class="flag flag-conflict">1 conflict</strong> to settle before it can be published' in row_b


# Per published notice the console reads its ten registers, its latest version with any withdrawal, and its
# highest number: never one query per item, per version or per reviewer.
PER_NOTICE = 13


def test_console_queries_grow_by_a_fixed_number_per_notice_whatever_its_size(world, client, django_assert_num_queries):
    from notices.demo import load_notice
    from notices.review import request_review
    from notices.tests.factories import notice_data

    client.force_login(world.publisher_x)
    client.get(CONSOLE, HTTP_HOST="localhost")  # what is read once per process (content types, hosts) is read now
    with CaptureQueriesContext(connection) as captured:
        client.get(CONSOLE, HTTP_HOST="localhost")
    two_notices = len(captured)  # now: the next request outside a capture empties the connection's query log
    with tenant_context(world.school_a):
        second = load_notice(notice_data("Second", slug="staff"), user=world.publisher_x)
        for n in range(20):
            System.objects.create(notice=second, name=f"System {n}", used_for="records", order=10 + n)
        for n in range(3):
            if n:
                change_draft(second, f"Edit {n}.")
            publish_notice(second, user=world.publisher_x, summary=f"Version {n + 1}.")
        change_draft(second, "Waiting for review.")
        request_review(second, user=world.editor_a, note="The reviewer's name is joined, not fetched.")
    connection.set_schema_to_public()
    client.get(CONSOLE, HTTP_HOST="localhost")
    with django_assert_num_queries(two_notices + PER_NOTICE):
        html = client.get(CONSOLE, HTTP_HOST="localhost").content.decode()
    assert html.count("Publish<span") == 2
    assert "Waiting for review (1)" in html
