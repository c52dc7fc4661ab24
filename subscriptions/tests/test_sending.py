"""Emailing families about versions, through a real SMTP server (aiosmtpd, in the test process).

Versions are published with publish_notice, which records the events, and the
worker's pump (announcements.pump.run_once) sends them, in this process or, in
the last test, in real `manage.py run_worker` processes, one of them killed
mid-batch. Every school's subscribers are present in every test.
"""

import datetime
import email
import email.policy
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.db import connection, connections
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from announcements import pump
from announcements.models import Event
from announcements.wording import Announcement
from conftest import change_draft, database_url, host, new_trust, next_number
from notices.demo import load_notice
from notices.models import Notice, NoticeVersion
from notices.moments import spoken
from notices.publishing import publish_notice
from notices.tests.factories import notice_data
from notices.withdrawal import withdraw_upcoming, withdraw_version
from subscriptions import mail, sending
from subscriptions.models import EmailDelivery, Subscriber
from subscriptions.tokens import unsubscribe_token
from tenants.models import School, Trust
from tenants.provisioning import create_school

SLUG = "pupils-and-parents"
WAIT = 60  # seconds: the most the worker test waits for a worker to do something


class Mailbox:
    """The SMTP server's handler: keeps what it accepts, refuses when told to, and can kill a worker mid-message."""

    def __init__(self):
        self.accepted = []
        self.refusals = []  # answers for the next messages, in order, instead of accepting them
        self.refuse_all = None
        self.kill = None  # (n, pid): on the n-th message, SIGKILL pid before answering
        self.received = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received += 1
            if self.kill and self.received == self.kill[0]:
                os.kill(self.kill[1], signal.SIGKILL)
                return "421 4.3.0 The sender died before this answer"
            if self.refuse_all:
                return self.refuse_all
            if self.refusals:
                return self.refusals.pop(0)
            message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
            self.accepted.append(message)
        return "250 2.0.0 Accepted"

    @staticmethod
    def subject(message):
        # A long Subject is folded right after "Subject:"; the parser keeps the fold's space, mail clients do not.
        return str(message["Subject"]).strip()

    def to(self, address):
        return [m for m in self.accepted if m["To"] == address]


class _Controller(Controller):
    """aiosmtpd's Controller on port 0: the port the system chose is read back before the first connection."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def mailbox(settings):
    box = Mailbox()
    server = _Controller(box, hostname="127.0.0.1", port=0, server_hostname="smtp.test")
    server.start()
    box.port = server.port
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 10},
        }
    }
    yield box
    server.stop()


def drain():
    """What the worker's pump does until it has nothing left to do now."""
    while pump.run_once():
        pass
    connection.set_schema_to_public()


def family(school, address):
    """A confirmed subscriber to the school's notice."""
    with tenant_context(school):
        row = Subscriber.objects.create(
            notice=Notice.objects.get(slug=SLUG), email=address, confirmed_at=timezone.now()
        )
    connection.set_schema_to_public()
    return row


def publish_change(school, user, *, material=True, days=15, words="Updated."):
    """A new version of the school's notice: a material one in force in `days` days, or a wording fix now."""
    with tenant_context(school):
        notice = Notice.objects.get(slug=SLUG)
        change_draft(notice, words)
        version = publish_notice(
            notice,
            user=user,
            summary=f"We now use a new system ({school.name}).",
            material=material,
            effective_at=timezone.now() + datetime.timedelta(days=days) if material else None,
        )
    connection.set_schema_to_public()
    return version


def deliveries(school):
    with tenant_context(school):
        rows = list(EmailDelivery.objects.order_by("pk").select_related("subscriber"))
    connection.set_schema_to_public()
    return rows


@pytest.mark.django_db
def test_an_announcement_carries_the_one_click_unsubscribe_headers_and_a_visible_link(world, mailbox, settings):
    settings.PUBLIC_SCHEME, settings.PUBLIC_PORT = "https", 443
    drain()  # the world's own first versions, announced to no one
    row = family(world.school_a, "parent@example.org")
    publish_change(world.school_a, world.publisher_x)
    drain()

    [message] = mailbox.to("parent@example.org")
    [delivery] = deliveries(world.school_a)
    assert delivery.status == "sent"
    assert delivery.kind == "version.published"
    header = message["List-Unsubscribe"]
    assert header.startswith("<https://school-a.localhost/subscriptions/unsubscribe/")
    assert header.endswith("/>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = message.get_content()
    assert f"Unsubscribe (one click, no login): {header[1:-1]}" in body
    assert "How we use your email address: https://school-a.localhost/subscriptions/privacy/" in body
    assert f"/privacy/{SLUG}/changes/1...2/" in body
    assert mailbox.subject(message).startswith("School A: changes to our privacy notice from ")
    assert message["From"] == django_settings.DEFAULT_FROM_EMAIL
    assert message["Message-ID"] == f"<announcement-{delivery.pk}@school-a.localhost>"
    assert message.get_content_type() == "text/plain"

    # The mail client's one-click POST to the header's address unsubscribes.
    path = header[1:-1].removeprefix("https://school-a.localhost")
    response = Client(enforce_csrf_checks=True).post(
        path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
        HTTP_HOST=host(world.school_a),
    )
    assert response.status_code == 200
    with tenant_context(world.school_a):
        row.refresh_from_db()
    assert row.unsubscribed_at is not None


@pytest.mark.django_db
def test_the_message_id_is_the_same_each_time_a_delivery_is_built(world):
    row = family(world.school_a, "same@example.org")
    with tenant_context(world.school_a):
        delivery = EmailDelivery.objects.create(
            subscriber=row,
            version=NoticeVersion.objects.get(notice__slug=SLUG, number=1),
            event_uid=uuid.uuid4(),
            kind="version.published",
        )
        words = Announcement("Subject", "Text", "SMS", "1 March 2027", True, "https://v", None)
        ids = {mail.announcement_message(world.school_a, delivery, words).message()["Message-ID"] for _ in range(2)}
    connection.set_schema_to_public()
    assert ids == {f"<announcement-{delivery.pk}@school-a.localhost>"}


@pytest.mark.django_db
def test_a_wording_fix_emails_no_one(world, mailbox):
    drain()
    family(world.school_a, "parent@example.org")
    publish_change(world.school_a, world.publisher_x, material=False)
    drain()
    assert mailbox.accepted == []
    assert deliveries(world.school_a) == []


@pytest.mark.django_db
def test_a_trust_that_asks_for_it_emails_families_again_when_the_change_comes_into_force(world, mailbox):
    Trust.objects.filter(pk=world.trust_x.pk).update(email_when_in_force=True)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        drain()
        family(world.school_a, "parent@example.org")
        family(world.school_c, "other-trust@example.org")
        publish_change(world.school_a, world.publisher_x, days=15)
        publish_change(world.school_c, world.publisher_y, days=15)  # trust Y did not ask: announced once
        drain()
    with time_machine.travel(start + datetime.timedelta(days=14), tick=False):
        drain()
    assert len(mailbox.to("parent@example.org")) == 1
    with time_machine.travel(start + datetime.timedelta(days=15, seconds=1), tick=False):
        drain()
    announced, in_force = mailbox.to("parent@example.org")
    assert "changes to our privacy notice from" in mailbox.subject(announced)
    assert mailbox.subject(in_force) == "School A: the changes to our privacy notice now apply"
    assert sorted(d.kind for d in deliveries(world.school_a)) == ["version.in_force", "version.published"]
    assert len(mailbox.to("other-trust@example.org")) == 1


@pytest.mark.django_db
def test_a_schools_families_hear_only_of_their_own_schools_versions(world, mailbox):
    drain()
    family(world.school_a, "a@example.org")
    family(world.school_b, "b@example.org")
    family(world.school_c, "c@example.org")
    publish_change(world.school_a, world.publisher_x)
    drain()
    assert [m["To"] for m in mailbox.accepted] == ["a@example.org"]
    assert mailbox.subject(mailbox.accepted[0]).startswith("School A:")
    assert deliveries(world.school_b) == []
    assert deliveries(world.school_c) == []


@pytest.mark.django_db
def test_a_trust_release_reaching_several_schools_emails_each_family_once_for_their_school(world, mailbox):
    drain()
    family(world.school_a, "both@example.org")  # children at both schools
    family(world.school_b, "both@example.org")
    family(world.school_a, "a-only@example.org")
    family(world.school_b, "b-only@example.org")
    family(world.school_c, "other-trust@example.org")
    publish_change(world.school_a, world.publisher_x, words="The trust's release 2.")
    publish_change(world.school_b, world.publisher_x, words="The trust's release 2.")
    drain()
    drain()  # a second pass finds nothing more to send

    schools = sorted(mailbox.subject(m).split(":")[0] for m in mailbox.to("both@example.org"))
    assert schools == ["School A", "School B"]
    assert [mailbox.subject(m).split(":")[0] for m in mailbox.to("a-only@example.org")] == ["School A"]
    assert [mailbox.subject(m).split(":")[0] for m in mailbox.to("b-only@example.org")] == ["School B"]
    assert mailbox.to("other-trust@example.org") == []
    assert len(mailbox.accepted) == 4
    # Each school's email links to its own school's pages only.
    for message in mailbox.accepted:
        own = host(world.school_a) if mailbox.subject(message).startswith("School A") else host(world.school_b)
        other = host(world.school_b) if own == host(world.school_a) else host(world.school_a)
        assert own in message.get_content()
        assert other not in message.get_content()

    # Queuing an event again adds no one.
    for school in (world.school_a, world.school_b):
        event = Event.objects.get(school=school, version_number=2, kind="version.published")
        with tenant_context(school):
            assert sending.queue_emails(event) == 0
            assert EmailDelivery.objects.filter(event_uid=event.uid).count() == 2
        connection.set_schema_to_public()


@pytest.mark.django_db
def test_a_refused_message_is_tried_again_after_a_wait(world, mailbox):
    mailbox.refusals = ["451 4.3.0 Mailbox busy, try again later"]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        drain()
        family(world.school_a, "parent@example.org")
        family(world.school_a, "next@example.org")
        publish_change(world.school_a, world.publisher_x)
        drain()
    delivery, other = deliveries(world.school_a)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "451" in delivery.last_error
    assert delivery.next_attempt_at == start + datetime.timedelta(seconds=sending.RETRY_SECONDS)
    # The refusal ended that batch; the next pass sent the other family's.
    assert other.status == "sent"
    assert [m["To"] for m in mailbox.accepted] == ["next@example.org"]

    with time_machine.travel(start + datetime.timedelta(seconds=sending.RETRY_SECONDS - 1), tick=False):
        drain()
    assert mailbox.to("parent@example.org") == []
    with time_machine.travel(start + datetime.timedelta(seconds=sending.RETRY_SECONDS + 1), tick=False):
        drain()
    assert len(mailbox.to("parent@example.org")) == 1
    assert len(mailbox.accepted) == 2
    assert [d.status for d in deliveries(world.school_a)] == ["sent", "sent"]
    assert Event.objects.get(school=world.school_a, version_number=2, kind="version.published").status == "done"


@pytest.mark.django_db
def test_a_message_refused_every_time_fails_after_the_last_attempt_with_growing_waits(world, mailbox, settings):
    settings.SUBSCRIPTION_MAX_ATTEMPTS = 3
    mailbox.refuse_all = "554 5.7.1 Rejected"
    moment = timezone.now()
    with time_machine.travel(moment, tick=False):
        drain()
        family(world.school_a, "parent@example.org")
        publish_change(world.school_a, world.publisher_x)
        drain()
    waits = []
    for _ in range(2):
        [delivery] = deliveries(world.school_a)
        waits.append(delivery.next_attempt_at - moment)
        moment = delivery.next_attempt_at
        with time_machine.travel(moment, tick=False):
            drain()
    [delivery] = deliveries(world.school_a)
    assert waits == [datetime.timedelta(seconds=sending.RETRY_SECONDS * n) for n in (1, 2)]
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert "554" in delivery.last_error
    assert mailbox.received == 3
    assert mailbox.accepted == []


@pytest.mark.django_db
def test_no_email_goes_to_a_family_who_unsubscribed_or_about_a_version_withdrawn_before_it_went(world, mailbox):
    drain()
    leaving = family(world.school_a, "leaving@example.org")
    family(world.school_b, "staying@example.org")
    publish_change(world.school_a, world.publisher_x)
    b_version = publish_change(world.school_b, world.publisher_x)
    pump.fan_out_due()
    connection.set_schema_to_public()
    client = Client()
    with tenant_context(world.school_a):
        path = f"/subscriptions/unsubscribe/{unsubscribe_token(leaving)}/"
    connection.set_schema_to_public()
    client.post(path, HTTP_HOST=host(world.school_a))
    with tenant_context(world.school_b):
        withdraw_upcoming(b_version, by=world.publisher_x, reason="Published by mistake.")
    connection.set_schema_to_public()
    drain()
    assert mailbox.accepted == []
    assert [d.status for d in deliveries(world.school_a)] == ["skipped"]
    assert [d.status for d in deliveries(world.school_b)] == ["skipped"]


@pytest.mark.django_db
def test_families_told_of_a_change_hear_when_it_is_withdrawn_before_it_takes_effect(world, mailbox):
    drain()
    family(world.school_a, "told@example.org")
    upcoming = publish_change(world.school_a, world.publisher_x)
    drain()
    assert [mailbox.subject(m) for m in mailbox.to("told@example.org")] == [
        f"School A: changes to our privacy notice from {spoken(upcoming.effective_at)}"
    ]
    family(world.school_a, "later@example.org")  # subscribed after the announcement: never told of the change
    with tenant_context(world.school_a):
        withdraw_upcoming(upcoming, by=world.publisher_x, reason="The supplier's contract fell through.")
    connection.set_schema_to_public()
    drain()
    [called_off] = mailbox.to("told@example.org")[1:]
    assert mailbox.subject(called_off) == "School A: the change to our privacy notice will not go ahead"
    body = called_off.get_content()
    assert "The supplier's contract fell through." in body
    assert "the notice in force now still applies" in body
    assert called_off["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mailbox.to("later@example.org") == []


@pytest.mark.django_db
def test_a_version_withdrawn_once_in_force_emails_no_one(world, mailbox):
    drain()
    family(world.school_a, "parent@example.org")
    with tenant_context(world.school_a):
        live = NoticeVersion.objects.get(number=1)
        withdraw_version(live, by=world.platform_admin, reason="Taken down.")
    connection.set_schema_to_public()
    drain()
    assert mailbox.accepted == []
    assert Event.objects.get(school=world.school_a, kind=Event.Kind.WITHDRAWN).status == Event.Status.DONE


# A worker killed mid-batch: real `manage.py run_worker` processes on the test database, so committed data.


def _new_school():
    trust = new_trust("em", "ZE")
    tag = trust.slug.removeprefix("em-")
    school = create_school(
        trust=trust, name=f"Email School {tag}", slug=f"em-{tag}", urn=next_number(School, "urn", "6", 5)
    )
    connection.set_schema_to_public()
    return school


def _worker_env(name, port):
    env = {**os.environ, "DATABASE_URL": f"{database_url('default')}?application_name={name}", "CACHE_URL": "locmem://"}
    if "owner" in connections:
        env["DATABASE_OWNER_URL"] = database_url("owner")
    return {**env, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port)}


def _wait_for(condition, what):
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Waited {WAIT} s for {what}")
        time.sleep(0.1)


def _sessions(name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [name])
        return cursor.fetchone()[0]


@pytest.fixture
def start_worker(tmp_path, mailbox):
    started = []

    def start():
        name = f"email-worker-{uuid.uuid4().hex[:8]}"
        n = len(started)
        proc = subprocess.Popen(  # noqa: S603 (the test's own arguments)
            [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
            cwd=django_settings.BASE_DIR,
            env=_worker_env(name, mailbox.port),
            stdout=open(tmp_path / f"worker{n}.out", "w"),  # noqa: SIM115 (the child holds it)
            stderr=open(tmp_path / f"worker{n}.err", "w"),  # noqa: SIM115
        )
        proc.app_name = name
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(WAIT)
        # The test database is dropped at the end: a dead worker's session must have ended by then.
        _wait_for(lambda name=proc.app_name: not _sessions(name), f"the session of {proc.app_name} to end")


def _statuses(school):
    with tenant_context(school):
        statuses = sorted(EmailDelivery.objects.values_list("status", flat=True))
    connection.set_schema_to_public()
    return statuses


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_every_family_with_exactly_one_email(world, mailbox, start_worker):
    school = _new_school()
    families = [f"family{n}@example.org" for n in range(8)]
    with tenant_context(school):
        notice = load_notice(notice_data("Mailed"))
        for address in families:
            Subscriber.objects.create(notice=notice, email=address, confirmed_at=timezone.now())
        publish_notice(notice, user=world.publisher_x, summary="Our first notice.")
    connection.set_schema_to_public()

    first = start_worker()
    mailbox.kill = (3, first.pid)  # the worker takes a second to start: set long before its first message
    assert first.wait(WAIT) == -signal.SIGKILL
    assert [m["To"] for m in mailbox.accepted] == families[:2]
    assert _statuses(school) == ["pending"] * 6 + ["sent"] * 2, "the third message must have rolled back"

    start_worker()
    _wait_for(lambda: _statuses(school) == ["sent"] * 8, "a second worker to send the rest")
    received = sorted(m["To"] for m in mailbox.accepted)
    assert received == sorted(families), "every family exactly once"
    assert mailbox.received == 9  # eight accepted, and the one the first worker died sending
    assert len({m["Message-ID"] for m in mailbox.accepted}) == 8
