"""Effective dates: a version published to take effect later is upcoming, announced on the page in force, and
becomes current at its moment by the clock alone, with every cache warm; material changes wait out the trust's
notice period unless an urgent reason is recorded."""

import datetime
import io
import json

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from pypdf import PdfReader

from announcements.models import Event
from announcements.wording import SMS_LIMIT, announcement_of
from conftest import change_draft, host, run_manage
from notices import selectors
from notices.bulk import execute_publish_run, plan_trust_publish
from notices.models import Notice, NoticeVersion
from notices.moments import spoken
from notices.publishing import PublishRefused, TooSoon, pending_change, publish_notice
from notices.withdrawal import withdraw_upcoming
from tenants.models import AuditEvent, Trust

pytestmark = pytest.mark.django_db
SLUG = "pupils-and-parents"
CURRENT = f"/privacy/{SLUG}/"


def get(client, school, path, **headers):
    return client.get(path, HTTP_HOST=host(school), **headers)


def the_notice(school):
    with tenant_context(school):
        return Notice.objects.get(slug=SLUG)


def publish(school, user, *, days=None, at=None, material=True, words="Changed.", **kwargs):
    """Change school's draft and publish it, to take effect in `days` days (or `at`), with the page cache retired."""
    with tenant_context(school):
        notice = Notice.objects.get(slug=SLUG)
        change_draft(notice, words)
        effective = at or (timezone.now() + datetime.timedelta(days=days) if days is not None else None)
        version = publish_notice(
            notice, user=user, summary=f"Summary: {words}", material=material, effective_at=effective, **kwargs
        )
    connection.set_schema_to_public()
    return version


def set_notice_period(trust, days):
    Trust.objects.filter(pk=trust.pk).update(min_notice_days=days)
    trust.refresh_from_db()


# --- upcoming versions on the public pages ---------------------------------------------------


def test_an_upcoming_version_leaves_the_version_in_force_on_the_page_with_a_banner_linking_to_it(world, client):
    upcoming = publish(world.school_a, world.publisher_x, days=20, words="Biometric catering.")
    html = get(client, world.school_a, CURRENT).content.decode()
    assert "Version 1, published" in html
    assert "Biometric catering." not in html.split("</section>")[-1]  # only the banner speaks of the change
    assert f"This notice changes on {spoken(upcoming.effective_at)}" in html
    assert f'href="/privacy/{SLUG}/changes/1...2/"' in html
    assert f'href="/privacy/{SLUG}/versions/2/"' in html
    assert "Summary: Biometric catering." in html


def test_the_upcoming_version_page_says_when_it_takes_effect_and_points_to_the_one_in_force(world, client):
    upcoming = publish(world.school_a, world.publisher_x, days=20)
    response = get(client, world.school_a, f"/privacy/{SLUG}/versions/2/")
    html = response.content.decode()
    assert f"This is version 2, which takes effect on {spoken(upcoming.effective_at)}" in html
    assert "Until then version 1 applies" in html
    # Its words change at that moment, so browsers must not keep it as immutable.
    assert "immutable" not in response["Cache-Control"]


def test_the_archive_marks_the_upcoming_version_and_shows_both_dates(world, client):
    upcoming = publish(world.school_a, world.publisher_x, days=20)
    html = get(client, world.school_a, f"/privacy/{SLUG}/versions/").content.decode()
    assert f"Version 2 (upcoming: takes effect {spoken(upcoming.effective_at)})" in html
    assert "Version 1 (current)" in html
    assert html.count("in force from") == 2


def test_the_json_export_has_both_dates_and_lists_the_upcoming_version_marked_upcoming(world, client):
    upcoming = publish(world.school_a, world.publisher_x, days=20)
    data = json.loads(get(client, world.school_a, f"/privacy/{SLUG}.json").content)
    assert data["version"] == 1
    assert data["upcoming"] is False
    assert data["effective_at"] <= timezone.now().isoformat()
    [coming] = data["upcoming_versions"]
    assert coming["version"] == 2
    assert coming["upcoming"] is True
    assert coming["effective_at"] == upcoming.effective_at.isoformat()
    assert coming["published_at"] == upcoming.published_at.isoformat()


def test_the_pdf_shows_the_day_published_and_the_moment_in_force(world):
    at = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=30), datetime.time())
    )
    version = publish(world.school_a, world.publisher_x, at=at)
    with tenant_context(world.school_a), version.pdf.open("rb") as stored:
        text = " ".join(page.extract_text() for page in PdfReader(stored).pages)
    assert f"Published {timezone.localdate(version.published_at):%-d %B %Y}" in text
    assert f"In force from {spoken(at)}" in text


# --- the switch at the effective time ----------------------------------------------------------


@pytest.mark.parametrize("path", [CURRENT, f"/privacy/{SLUG}.json", f"/privacy/{SLUG}/versions/", "/"])
def test_at_the_effective_time_the_new_version_is_current_though_every_cache_is_warm(world, client, path):
    effective = timezone.now() + datetime.timedelta(days=20)
    upcoming = publish(world.school_a, world.publisher_x, at=effective, words="Biometric catering.")
    with time_machine.travel(effective - datetime.timedelta(seconds=1), tick=False):
        before = [get(client, world.school_a, path) for _ in range(3)]  # the view, then the shared cache, then memory
    assert all(r.content == before[0].content for r in before)
    with time_machine.travel(effective, tick=False):
        after = get(client, world.school_a, path)
        again = get(client, world.school_a, path, HTTP_IF_NONE_MATCH=before[0]["ETag"])
    assert after.status_code == 200
    assert after.content != before[0].content
    assert again.status_code == 200  # the old copy's tag no longer matches
    assert after["Cache-Control"] == "public, max-age=0, must-revalidate"
    if path == CURRENT:
        assert "Version 1, published" in before[0].content.decode()
        assert "Version 2, published" in after.content.decode()
        assert "This notice changes on" not in after.content.decode()
    if path.endswith(".json"):
        assert json.loads(before[0].content)["version"] == 1
        assert json.loads(after.content)["version"] == upcoming.number
        assert json.loads(after.content)["upcoming_versions"] == []


def test_the_current_pdf_switches_at_the_effective_time(world, client):
    effective = timezone.now() + datetime.timedelta(days=20)
    upcoming = publish(world.school_a, world.publisher_x, at=effective)
    with time_machine.travel(effective - datetime.timedelta(seconds=1), tick=False):
        get(client, world.school_a, f"/privacy/{SLUG}.pdf")
        before = get(client, world.school_a, f"/privacy/{SLUG}.pdf")
    with time_machine.travel(effective + datetime.timedelta(seconds=1), tick=False):
        after = get(client, world.school_a, f"/privacy/{SLUG}.pdf")
    assert before["ETag"] != after["ETag"]
    assert after["ETag"] == f'"{upcoming.pdf_sha256[:32]}"'


def test_nothing_shows_the_new_version_before_its_time(world, client):
    publish(world.school_a, world.publisher_x, days=20, words="Biometric catering.")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=19, hours=23), tick=False):
        html = get(client, world.school_a, CURRENT).content.decode()
        data = json.loads(get(client, world.school_a, f"/privacy/{SLUG}.json").content)
    assert "Version 1, published" in html
    assert data["version"] == 1


def test_another_schools_pages_are_untouched_by_an_upcoming_version(world, client):
    publish(world.school_a, world.publisher_x, days=20, words="Only in A.")
    html = get(client, world.school_b, CURRENT).content.decode()
    assert "This notice changes on" not in html
    assert "Only in A." not in html


# --- the notice period --------------------------------------------------------------------------


def test_a_material_change_within_the_notice_period_is_refused_without_an_urgent_reason(world):
    set_notice_period(world.trust_x, 14)
    with pytest.raises(TooSoon, match="14 days"):
        publish(world.school_a, world.publisher_x, days=13)
    with pytest.raises(TooSoon):
        publish(world.school_a, world.publisher_x)  # default: now
    with tenant_context(world.school_a):
        assert NoticeVersion.objects.count() == 1
    connection.set_schema_to_public()
    assert publish(world.school_a, world.publisher_x, days=14).number == 2


def test_an_urgent_change_takes_effect_sooner_with_its_reason_on_the_version_and_in_the_audit_log(world):
    set_notice_period(world.trust_x, 14)
    reason = "The DfE census duty starts on Monday."
    version = publish(world.school_a, world.publisher_x, days=2, urgent_reason=reason)
    assert version.urgent_reason == reason
    event = AuditEvent.objects.filter(action="publish", school=world.school_a).latest("at")
    assert event.details["urgent_reason"] == reason
    assert event.details["effective_at"] == version.effective_at.isoformat()


def test_a_wording_fix_can_take_effect_at_once_and_records_no_urgent_reason(world):
    set_notice_period(world.trust_x, 14)
    version = publish(world.school_a, world.publisher_x, material=False, urgent_reason="Not needed.")
    assert version.effective_at == version.published_at
    assert version.urgent_reason == ""


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"days": -1}, "in the past"),
        ({"days": 40, "first": True}, "first version takes effect when it is published"),
    ],
)
def test_dates_that_cannot_be_are_refused_with_a_clear_reason(world, kwargs, message):
    school = world.school_a
    if kwargs.pop("first", False):
        with tenant_context(school):
            fresh = Notice.objects.create(
                title="Workforce",
                slug="workforce",
                summary="s",
                contact_name="x",
                contact_email="x@example.org",
                review_by=datetime.date(2030, 1, 1),
            )
            with pytest.raises(PublishRefused, match=message):
                publish_notice(
                    fresh,
                    user=world.publisher_x,
                    summary="First.",
                    force=True,
                    effective_at=timezone.now() + datetime.timedelta(days=kwargs["days"]),
                )
        return
    with pytest.raises(PublishRefused, match=message):
        publish(school, world.publisher_x, **kwargs)


def test_a_later_version_cannot_take_effect_before_the_upcoming_one_it_follows(world):
    publish(world.school_a, world.publisher_x, days=20)
    with pytest.raises(PublishRefused, match="must take effect after it"):
        publish(world.school_a, world.publisher_x, days=10, words="Second change.")
    assert publish(world.school_a, world.publisher_x, days=21, words="Second change.").number == 3


def test_the_draft_is_compared_with_the_upcoming_version_so_it_is_not_published_twice(world):
    publish(world.school_a, world.publisher_x, days=20)
    notice = the_notice(world.school_a)
    with tenant_context(world.school_a):
        change = pending_change(notice, school=world.school_a)
        assert change.status == "upcoming"
        assert change.live.number == 1
        assert change.latest.number == 2
        assert not change.has_changes


# --- withdrawing an upcoming version ----------------------------------------------------------


def test_a_trust_publisher_withdraws_an_upcoming_version_and_its_number_is_never_reused(world, client):
    upcoming = publish(world.school_a, world.publisher_x, days=20)
    with tenant_context(world.school_a):
        withdraw_upcoming(upcoming, by=world.publisher_x, reason="The new supplier contract fell through.")
    connection.set_schema_to_public()
    html = get(client, world.school_a, f"/privacy/{SLUG}/versions/").content.decode()
    assert "Version 2 (withdrawn)" in html
    assert "The new supplier contract fell through." in html
    assert get(client, world.school_a, f"/privacy/{SLUG}/versions/2/").status_code == 410
    assert "This notice changes on" not in get(client, world.school_a, CURRENT).content.decode()
    assert AuditEvent.objects.filter(action="withdraw", details__before_in_force=True).count() == 1
    in_force = Event.objects.get(school=world.school_a, version_number=2, kind=Event.Kind.IN_FORCE)
    assert in_force.status == Event.Status.CANCELLED
    assert Event.objects.filter(school=world.school_a, version_number=2, kind=Event.Kind.WITHDRAWN).exists()
    assert publish(world.school_a, world.publisher_x, days=20, words="Another go.").number == 3


@pytest.mark.parametrize("persona", ["editor_a", "publisher_y"])
def test_only_the_trusts_publishers_withdraw_an_upcoming_version(world, persona):
    upcoming = publish(world.school_a, world.publisher_x, days=20)
    with tenant_context(world.school_a):
        with pytest.raises(PermissionDenied):
            withdraw_upcoming(upcoming, by=getattr(world, persona), reason="No.")
        assert not upcoming.withdrawals.exists()


def test_a_version_in_force_cannot_be_withdrawn_as_upcoming(world):
    with tenant_context(world.school_a):
        live = NoticeVersion.objects.get(number=1)
        with pytest.raises(PublishRefused, match="in force already"):
            withdraw_upcoming(live, by=world.publisher_x, reason="Too late.")


# --- announcement events ---------------------------------------------------------------------


def test_publishing_records_the_announcement_and_the_coming_into_force_in_the_same_transaction(world):
    upcoming = publish(world.school_a, world.publisher_x, days=20)
    events = Event.objects.filter(school=world.school_a, version_number=2).order_by("due_at")
    assert [(e.kind, e.due_at) for e in events] == [
        (Event.Kind.PUBLISHED, upcoming.published_at),
        (Event.Kind.IN_FORCE, upcoming.effective_at),
    ]
    payload = events[0].payload
    assert payload["school"]["slug"] == "school-a"
    assert payload["urls"]["changes"] == f"http://school-a.localhost:8000/privacy/{SLUG}/changes/1...2/"
    set_notice_period(world.trust_x, 30)
    with pytest.raises(TooSoon):
        publish(world.school_a, world.publisher_x, days=25, words="Refused.")
    assert not Event.objects.filter(school=world.school_a, version_number=3).exists()


def test_the_ready_to_paste_announcement_fits_a_text_message_and_wording_fixes_get_none(world):
    upcoming = publish(world.school_a, world.publisher_x, days=20)
    fix = publish(world.school_a, world.publisher_x, days=21, material=False, words="Typo.")
    with tenant_context(world.school_a):
        text = announcement_of(world.school_a, upcoming)
        assert announcement_of(world.school_a, fix) is None
    assert len(text.sms) <= SMS_LIMIT
    assert spoken(upcoming.effective_at) in text.sms
    assert text.subject == f"School A: changes to our privacy notice from {spoken(upcoming.effective_at)}"
    assert f"http://school-a.localhost:8000/privacy/{SLUG}/changes/1...2/" in text.email_text
    assert "until then the current notice still applies" in text.email_text


# --- the console, the commands and the bulk publish ------------------------------------------


def test_the_console_shows_each_schools_upcoming_version_with_its_announcement_and_withdrawal(world, client):
    upcoming = publish(world.school_a, world.publisher_x, days=20)
    client.force_login(world.publisher_x)
    html = client.get("/trust/trust-x/", HTTP_HOST="localhost").content.decode()
    assert f"Version 2 takes effect {spoken(upcoming.effective_at)}" in html
    announce = client.get(f"/trust/trust-x/announce/school-a/{SLUG}/2/", HTTP_HOST="localhost")
    assert announce.status_code == 200
    assert "School A: changes to our privacy notice" in announce.content.decode()
    url = f"/trust/trust-x/withdraw/school-a/{SLUG}/2/"
    assert client.get(url, HTTP_HOST="localhost").status_code == 200  # a page with the form, nothing changed
    with tenant_context(world.school_a):
        assert not upcoming.withdrawals.exists()
    connection.set_schema_to_public()
    assert client.post(url, {"reason": "Changed our minds."}, HTTP_HOST="localhost").status_code == 302
    with tenant_context(world.school_a):
        assert upcoming.withdrawals.get().reason == "Changed our minds."


def test_another_trusts_publisher_cannot_reach_a_schools_upcoming_version_from_their_console(world, client):
    publish(world.school_a, world.publisher_x, days=20)
    client.force_login(world.publisher_y)
    for url in (f"/trust/trust-y/announce/school-a/{SLUG}/2/", f"/trust/trust-y/withdraw/school-a/{SLUG}/2/"):
        assert client.get(url, HTTP_HOST="localhost").status_code == 404
    assert (
        client.post(f"/trust/trust-y/withdraw/school-a/{SLUG}/2/", {"reason": "x"}, HTTP_HOST="localhost").status_code
        == 404
    )
    assert client.get(f"/trust/trust-x/announce/school-a/{SLUG}/2/", HTTP_HOST="localhost").status_code == 403


def test_publishing_from_the_console_takes_the_effective_date_and_refuses_a_short_notice(world, client):
    set_notice_period(world.trust_x, 14)
    with tenant_context(world.school_a):
        change_draft(Notice.objects.get(slug=SLUG))
    connection.set_schema_to_public()
    client.force_login(world.publisher_x)
    url = f"/trust/trust-x/publish/school-a/{SLUG}/"
    page = client.get(url, HTTP_HOST="localhost")
    data = {**page.context["form"].initial, "summary": "New supplier.", "material": "on"}
    soon = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(url, {**data, "effective_at": soon}, HTTP_HOST="localhost")
    assert refused.status_code == 200
    assert "tells families 14 days before" in refused.content.decode()
    no_reason = client.post(url, {**data, "effective_at": soon, "urgent": "on"}, HTTP_HOST="localhost")
    assert "Say why it must take effect sooner" in no_reason.content.decode()
    data["effective_at"] = page.context["form"].fields["effective_at"].initial.strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, data, HTTP_HOST="localhost").status_code == 302
    with tenant_context(world.school_a):
        version = NoticeVersion.objects.get(number=2)
    assert version.effective_at - version.published_at >= datetime.timedelta(days=14)


def test_publish_notice_command_takes_effective_and_refuses_a_bad_one_in_one_line(world):
    with tenant_context(world.school_a):
        change_draft(Notice.objects.get(slug=SLUG))
    connection.set_schema_to_public()
    bad = run_manage("publish_notice", "school-a", SLUG, "--summary", "x", "--effective", "next tuesday")
    assert bad.returncode != 0
    assert "--effective" in bad.stderr
    assert "Traceback" not in bad.stderr
    out = io.StringIO()
    day = timezone.localdate() + datetime.timedelta(days=30)
    call_command("publish_notice", "school-a", SLUG, "--summary", "Later.", "--effective", day.isoformat(), stdout=out)
    assert f"It takes effect on {day:%-d %B %Y}" in out.getvalue()
    with tenant_context(world.school_a):
        assert timezone.localtime(NoticeVersion.objects.get(number=2).effective_at).date() == day


def test_a_trust_wide_publish_takes_one_effective_date_for_every_school_and_checks_the_period_first(world):
    set_notice_period(world.trust_x, 14)
    for school in (world.school_a, world.school_b):
        with tenant_context(school):
            change_draft(Notice.objects.get(slug=SLUG))
    connection.set_schema_to_public()
    with pytest.raises(TooSoon):
        plan_trust_publish(world.trust_x, user=world.publisher_x, summary="Soon.")
    at = timezone.now() + datetime.timedelta(days=15)
    run = plan_trust_publish(world.trust_x, user=world.publisher_x, summary="Later.", effective_at=at)
    execute_publish_run(run)
    for school in (world.school_a, world.school_b):
        with tenant_context(school):
            assert NoticeVersion.objects.get(number=2).effective_at == at
            assert selectors.current_version(Notice.objects.get(slug=SLUG)).number == 1


def test_trust_staff_set_the_notice_period_in_the_console_and_it_is_audited(world, client):
    client.force_login(world.publisher_x)
    url = "/trust/trust-x/settings/"
    assert client.get(url, HTTP_HOST="localhost").status_code == 200
    response = client.post(url, {"min_notice_days": "21", "email_when_in_force": "on"}, HTTP_HOST="localhost")
    assert response.status_code == 302
    world.trust_x.refresh_from_db()
    assert (world.trust_x.min_notice_days, world.trust_x.email_when_in_force) == (21, True)
    event = AuditEvent.objects.filter(action="trust_changed", trust=world.trust_x).latest("at")
    assert set(event.details["fields"]) == {"min_notice_days", "email_when_in_force"}
    assert client.post(url, {"min_notice_days": "-3"}, HTTP_HOST="localhost").status_code == 200  # a form error
    client.force_login(world.publisher_y)
    assert client.post(url, {"min_notice_days": "0"}, HTTP_HOST="localhost").status_code == 403
    world.trust_x.refresh_from_db()
    assert world.trust_x.min_notice_days == 21
