"""Asking for emails: double opt-in, buttons that POST, one-click unsubscribe, and a form that reveals nothing.

The anonymous parent subscribes on a school's host; the confirmation is a task
the worker would run, run here by send_confirmations(). Other schools' data is
present in every test (the session's world), and one test makes a token at
school B and tries it on school A's host.
"""

import datetime
import re
import uuid
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from django_tenants.utils import tenant_context

from conftest import host
from notices.demo import load_notice
from notices.models import Notice, NoticeVersion
from notices.tests.factories import notice_data
from subscriptions import selectors, sending, tokens
from subscriptions.models import EmailDelivery, Subscriber
from subscriptions.tasks import send_confirmation

pytestmark = pytest.mark.django_db
SLUG = "pupils-and-parents"
FORM = f"/privacy/{SLUG}/subscribe/"
PARENT_IP = "198.51.100.7"


def subscribe(client, school, email, ip=PARENT_IP):
    return client.post(FORM, {"email": email}, HTTP_HOST=host(school), REMOTE_ADDR=ip)


def send_confirmations():
    """What the worker does with the queued confirmation tasks: run each once."""
    queued = DBTaskResult.objects.filter(task_path=send_confirmation.module_path, status="READY")
    for result in queued:
        send_confirmation.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
    connection.set_schema_to_public()
    return queued.delete()[0]


def path_of(message, name):
    """The path of the `name` link (confirm, unsubscribe) in an email's text, checking it is on the school's host."""
    found = re.search(rf"https?://([a-z0-9.-]+)(?::[0-9]+)?(/subscriptions/{name}/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1), found.group(2)


def subscriber(school, email):
    with tenant_context(school):
        found = Subscriber.objects.filter(email=email).first()
    connection.set_schema_to_public()
    return found


def confirmed(school, email):
    """A confirmed subscriber at `school`, as the form and the confirm button make one."""
    with tenant_context(school):
        row = Subscriber.objects.create(notice=Notice.objects.get(slug=SLUG), email=email, confirmed_at=timezone.now())
    connection.set_schema_to_public()
    return row


def event_for(number=1):
    """What queue_emails reads of an announcements Event."""
    return SimpleNamespace(uid=uuid.uuid4(), notice_slug=SLUG, version_number=number, kind="version.published")


def queued(school):
    with tenant_context(school):
        count = sending.queue_emails(event_for())
    connection.set_schema_to_public()
    return count


def test_a_new_address_gets_a_confirmation_link_and_no_announcement_until_it_confirms(world, client, mailoutbox):
    response = subscribe(client, world.school_a, " Parent.One@Example.org ")
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert send_confirmations() == 1
    [message] = mailoutbox
    assert message.to == ["parent.one@example.org"]
    assert "confirm" in message.subject
    domain, path = path_of(message, "confirm")
    assert domain == host(world.school_a)

    row = subscriber(world.school_a, "parent.one@example.org")
    assert row.confirmed_at is None
    assert queued(world.school_a) == 0, "an unconfirmed address must not be emailed about versions"

    client.post(path, HTTP_HOST=domain)
    assert subscriber(world.school_a, "parent.one@example.org").confirmed_at is not None
    assert queued(world.school_a) == 1


def test_the_confirmation_link_shows_one_button_and_only_its_post_confirms(world, mailoutbox):
    parent = Client(enforce_csrf_checks=True)
    page = parent.get(FORM, HTTP_HOST=host(world.school_a))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    parent.post(FORM, {"email": "parent.two@example.org", "csrfmiddlewaretoken": token}, HTTP_HOST=host(world.school_a))
    send_confirmations()
    domain, path = path_of(mailoutbox[0], "confirm")

    # A mail scanner opens the link, twice: nothing changes.
    for _ in range(2):
        page = parent.get(path, HTTP_HOST=domain)
        html = page.content.decode()
        assert page.status_code == 200
        assert html.count("<form") == 1
        assert html.count("<button") == 1
        assert 'method="post"' in html
    assert subscriber(world.school_a, "parent.two@example.org").confirmed_at is None

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    done = parent.post(path, {"csrfmiddlewaretoken": token}, HTTP_HOST=domain)
    assert done.status_code == 200
    assert "You are subscribed" in done.content.decode()
    assert subscriber(world.school_a, "parent.two@example.org").confirmed_at is not None


def test_the_subscribe_form_refuses_a_post_without_its_csrf_token(world):
    response = Client(enforce_csrf_checks=True).post(
        FORM, {"email": "forged@example.org"}, HTTP_HOST=host(world.school_a)
    )
    assert response.status_code == 403
    assert subscriber(world.school_a, "forged@example.org") is None
    assert not DBTaskResult.objects.filter(task_path=send_confirmation.module_path).exists()


def _unsubscribe_path(school, row):
    with tenant_context(school):
        path = f"/subscriptions/unsubscribe/{tokens.unsubscribe_token(row)}/"
    connection.set_schema_to_public()
    return path


def _pending_delivery(school, row):
    with tenant_context(school):
        version = NoticeVersion.objects.get(notice__slug=SLUG, number=1)
        EmailDelivery.objects.create(subscriber=row, version=version, event_uid=uuid.uuid4(), kind="version.published")
    connection.set_schema_to_public()


def test_opening_the_unsubscribe_link_changes_nothing_and_its_button_unsubscribes_and_erases_the_address(world, client):
    row = confirmed(world.school_a, "parent.three@example.org")
    path = _unsubscribe_path(world.school_a, row)
    for _ in range(2):
        page = client.get(path, HTTP_HOST=host(world.school_a))
        assert page.status_code == 200
        assert page.content.decode().count("<button") == 1
    assert subscriber(world.school_a, "parent.three@example.org").unsubscribed_at is None

    done = client.post(path, {"List-Unsubscribe": "One-Click"}, HTTP_HOST=host(world.school_a))
    assert "You are unsubscribed" in done.content.decode()
    with tenant_context(world.school_a):
        row.refresh_from_db()
    assert row.unsubscribed_at is not None
    assert row.email == ""
    assert row.confirmed_at is not None  # the times stay, as the privacy page says


def test_a_mail_clients_one_click_post_unsubscribes_without_a_csrf_token_and_skips_what_was_waiting(world):
    row = confirmed(world.school_a, "parent.four@example.org")
    _pending_delivery(world.school_a, row)
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        _unsubscribe_path(world.school_a, row),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
        HTTP_HOST=host(world.school_a),
    )
    assert response.status_code == 200
    with tenant_context(world.school_a):
        row.refresh_from_db()
        statuses = list(EmailDelivery.objects.filter(subscriber=row).values_list("status", flat=True))
    assert row.unsubscribed_at is not None
    assert row.email == ""
    assert statuses == ["skipped"]
    # Repeated (mail clients retry), it is still a plain success.
    again = mail_client.post(
        _unsubscribe_path(world.school_a, row),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
        HTTP_HOST=host(world.school_a),
    )
    assert again.status_code == 200


def _anonymised(response, email):
    return response.status_code, response.content.decode().replace(email, "ADDRESS")


def test_the_form_answers_the_same_for_a_new_a_waiting_and_a_confirmed_address(world, client, mailoutbox):
    subscribe(client, world.school_a, "waiting@example.org", ip="198.51.100.1")
    confirmed(world.school_a, "confirmed@example.org")
    send_confirmations()
    mailoutbox.clear()

    answers = {
        email: _anonymised(subscribe(client, world.school_a, email, ip="198.51.100.2"), email)
        for email in ("new@example.org", "waiting@example.org", "confirmed@example.org")
    }
    assert len(set(answers.values())) == 1, answers
    assert answers["new@example.org"][0] == 200
    send_confirmations()
    # The new address is sent its link, the waiting one a new link; the confirmed one nothing.
    assert sorted(m.to[0] for m in mailoutbox) == ["new@example.org", "waiting@example.org"]
    assert subscriber(world.school_a, "confirmed@example.org").confirmed_at is not None


def test_an_address_asked_for_too_often_gets_the_same_page_and_no_more_emails(world, client, mailoutbox, settings):
    settings.SUBSCRIPTION_RATE_PER_ADDRESS = 2
    answers = {
        _anonymised(subscribe(client, world.school_a, "target@example.org", ip=f"203.0.113.{n}"), "target@example.org")
        for n in range(4)
    }
    assert len(answers) == 1
    assert send_confirmations() == 2
    assert len(mailoutbox) == 2
    # The count is the school's own (the cache keys carry the schema): school B's form still takes the address.
    subscribe(client, world.school_b, "target@example.org", ip="203.0.113.99")
    assert send_confirmations() == 1


def test_a_client_address_asking_too_often_gets_the_same_page_and_sends_nothing(world, client, mailoutbox, settings):
    settings.SUBSCRIPTION_RATE_PER_IP = 2
    statuses = [
        subscribe(client, world.school_a, f"guess{n}@example.org", ip="203.0.113.50").status_code for n in range(4)
    ]
    assert statuses == [200] * 4
    assert send_confirmations() == 2
    assert subscriber(world.school_a, "guess3@example.org") is None
    subscribe(client, world.school_a, "other@example.org", ip="203.0.113.51")
    assert send_confirmations() == 1


def test_a_token_made_at_school_b_is_refused_on_school_a_host_even_for_the_same_id(world, client):
    # The same id in both schools: only the schema in the token tells them apart.
    pk = 10**6
    for school in (world.school_a, world.school_b):
        with tenant_context(school):
            pk = max(pk, Subscriber.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
    pk += 1
    rows = {}
    for school in (world.school_a, world.school_b):
        with tenant_context(school):
            rows[school.slug] = Subscriber.objects.create(
                pk=pk, notice=Notice.objects.get(slug=SLUG), email=f"same-id@{school.slug}.example.org"
            )
    with tenant_context(world.school_b):
        confirm_b = tokens.confirm_token(rows["school-b"])
        unsubscribe_b = tokens.unsubscribe_token(rows["school-b"])
    connection.set_schema_to_public()

    for path in (f"/subscriptions/confirm/{confirm_b}/", f"/subscriptions/unsubscribe/{unsubscribe_b}/"):
        for method in (client.get, client.post):
            response = method(path, HTTP_HOST=host(world.school_a))
            assert response.status_code == 400
            assert "This link does not work" in response.content.decode()
    a = subscriber(world.school_a, "same-id@school-a.example.org")
    assert a.confirmed_at is None
    assert a.unsubscribed_at is None

    # On its own school's host the token works.
    client.post(f"/subscriptions/confirm/{confirm_b}/", HTTP_HOST=host(world.school_b))
    assert subscriber(world.school_b, "same-id@school-b.example.org").confirmed_at is not None


def test_a_link_for_one_purpose_does_not_work_for_the_other(world, client):
    row = confirmed(world.school_a, "parent.five@example.org")
    with tenant_context(world.school_a):
        confirm_token = tokens.confirm_token(row)
    connection.set_schema_to_public()
    response = client.post(f"/subscriptions/unsubscribe/{confirm_token}/", HTTP_HOST=host(world.school_a))
    assert response.status_code == 400
    assert subscriber(world.school_a, "parent.five@example.org").unsubscribed_at is None


@pytest.mark.parametrize("token", ["nonsense", "a" * 100, "WyJzY2hvb2xfYSIsMV0:1u:bad"])
def test_a_broken_link_gets_a_clear_400_page(world, client, token):
    for path in (f"/subscriptions/confirm/{token}/", f"/subscriptions/unsubscribe/{token}/"):
        response = client.get(path, HTTP_HOST=host(world.school_a))
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()


def test_unconfirmed_addresses_expire_and_their_link_stops_working(world, client, mailoutbox):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        subscribe(client, world.school_a, "late@example.org")
        subscribe(client, world.school_b, "late@example.org")
        confirmed(world.school_a, "kept@example.org")
        send_confirmations()
    domain, path = path_of(mailoutbox[0], "confirm")

    with time_machine.travel(start + datetime.timedelta(days=6), tick=False):
        subscribe(client, world.school_a, "fresh@example.org")  # purges school A's expired: none yet
        assert subscriber(world.school_a, "late@example.org") is not None

    with time_machine.travel(start + datetime.timedelta(days=7, minutes=1), tick=False):
        assert client.get(path, HTTP_HOST=domain).status_code == 400  # the link expired with the window
        call_command("purge_subscriptions", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert subscriber(world.school_a, "late@example.org") is None
    assert subscriber(world.school_b, "late@example.org") is None  # every school's
    assert subscriber(world.school_a, "fresh@example.org") is not None  # asked for a day ago
    assert subscriber(world.school_a, "kept@example.org") is not None  # confirmed


def test_asking_again_for_an_unconfirmed_address_restarts_its_window(world, client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        subscribe(client, world.school_a, "again@example.org")
    with time_machine.travel(start + datetime.timedelta(days=5), tick=False):
        subscribe(client, world.school_a, "again@example.org")
    with time_machine.travel(start + datetime.timedelta(days=8), tick=False):
        subscribe(client, world.school_a, "someone-else@example.org")  # purges school A
    assert subscriber(world.school_a, "again@example.org") is not None


def test_only_a_notice_parents_can_read_can_be_subscribed_to(world, client):
    with tenant_context(world.school_a):
        load_notice(notice_data("Draft", slug="draft-only"))
    connection.set_schema_to_public()
    for slug in ("draft-only", "no-such-notice"):
        for response in (
            client.get(f"/privacy/{slug}/subscribe/", HTTP_HOST=host(world.school_a)),
            client.post(f"/privacy/{slug}/subscribe/", {"email": "x@example.org"}, HTTP_HOST=host(world.school_a)),
        ):
            assert response.status_code == 404
    assert subscriber(world.school_a, "x@example.org") is None


def test_the_form_page_is_accessible_plain_html_and_says_what_is_wrong(world, client):
    page = client.get(FORM, HTTP_HOST=host(world.school_a))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<label for="id_email">Email address</label>' in html
    assert 'autocomplete="email"' in html
    assert "<script" not in html
    assert "style=" not in html
    assert "no-store" in page["Cache-Control"]

    wrong = client.post(FORM, {"email": "not an address"}, HTTP_HOST=host(world.school_a))
    assert wrong.status_code == 400
    assert "Enter an email address in the right form" in wrong.content.decode()
    assert 'aria-invalid="true"' in wrong.content.decode()
    assert subscriber(world.school_a, "not an address") is None


def test_the_privacy_information_for_subscribers_names_the_trust_and_the_times(world, client, settings):
    settings.SUBSCRIPTION_CONFIRM_DAYS = 9
    page = client.get("/subscriptions/privacy/", HTTP_HOST=host(world.school_a))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Xavier Trust is the data controller" in html
    assert "dpo@trust-x.example.org" in html
    assert "within 9 days" in html
    assert "When you unsubscribe, we delete your address" in html
    other = client.get("/subscriptions/privacy/", HTTP_HOST=host(world.school_c)).content.decode()
    assert "Yarrow Trust is the data controller" in other
    assert "Xavier" not in other


def test_the_dpl_sees_how_many_confirmed_subscribers_a_notice_has_and_never_the_addresses(world, client):
    confirmed(world.school_a, "one@example.org")
    confirmed(world.school_a, "two@example.org")
    gone = confirmed(world.school_a, "three@example.org")
    subscribe(client, world.school_a, "unconfirmed@example.org")
    confirmed(world.school_b, "other-school@example.org")
    client.post(_unsubscribe_path(world.school_a, gone), HTTP_HOST=host(world.school_a))
    with tenant_context(world.school_a):
        count = selectors.confirmed_count(Notice.objects.get(slug=SLUG))
        snippet = render_to_string("subscriptions/admin_count.html", {"subscriber_count": count})
    connection.set_schema_to_public()
    assert count == 2
    assert "2 confirmed subscribers" in snippet
    assert "@" not in snippet
