"""Trusts' webhooks: signed, retried with back-off, never redirected, only to public https (or test loopback).

Every delivery here goes to a real HTTP server in the test process, on
127.0.0.1, which records each request and answers as a test tells it to.
"""

import datetime
import json
import re
import shutil
import ssl
import subprocess
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from announcements import pump
from announcements.models import Event, Webhook, WebhookDelivery
from announcements.webhooks import addresses, delivery, signing
from conftest import change_draft
from notices.models import Notice
from notices.publishing import publish_notice

pytestmark = pytest.mark.django_db
Status = WebhookDelivery.Status


class _Handler(BaseHTTPRequestHandler):
    def _record(self):
        length = int(self.headers.get("Content-Length") or 0)
        request = SimpleNamespace(
            method=self.command, path=self.path, headers=dict(self.headers.items()), body=self.rfile.read(length)
        )
        self.server.receiver.requests.append(request)
        return request

    def do_POST(self):
        self._record()
        answer = self.server.receiver.next_answer(self.path)
        if answer == "hang":
            self.server.receiver.released.wait(10)
            return
        self.send_response(answer)
        if answer in (301, 302, 307, 308):
            self.send_header("Location", f"{self.server.receiver.url}/redirected-here")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST  # a redirect followed as a GET would be recorded too

    def log_message(self, format, *args):
        pass


class Receiver:
    """A trust's endpoint: records every request; answers 200 unless told otherwise for a path."""

    def __init__(self, tls=None):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.receiver = self
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}"
        self.requests = []
        self.scripts = {}
        self.released = threading.Event()

    def answer(self, path, *answers):
        """Answer the next requests to `path` with these status codes (or "hang"), then 200."""
        self.scripts[path] = list(answers)

    def next_answer(self, path):
        script = self.scripts.get(path)
        return script.pop(0) if script else 200

    def to(self, path):
        return [r for r in self.requests if r.path == path]


@contextmanager
def serving(tls=None):
    receiver = Receiver(tls)
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.released.set()
        receiver.server.shutdown()
        receiver.server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def receiver():
    with serving() as receiver:
        yield receiver


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is missing (apt-get install openssl)")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    options = "req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1"
    subprocess.run(["openssl", *options.split(), "-keyout", key, "-out", cert], check=True, capture_output=True)
    return key, cert


@pytest.fixture
def tls_receiver(certificate):
    key, cert = certificate
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    with serving(tls) as receiver:
        yield receiver


@pytest.fixture(autouse=True)
def _loopback_webhooks(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    settings.WEBHOOK_MAX_ATTEMPTS = 8


def webhook(world, receiver, path, trust=None):
    return delivery.create_webhook(trust or world.trust_x, receiver.url + path, by=world.publisher_x)


def event_of(school):
    """The announcement of the version the world published for `school` (notices.publishing records it)."""
    return Event.objects.get(school=school, kind=Event.Kind.PUBLISHED, version_number=1)


def sent(request):
    return json.loads(request.body)


# Signing


def test_a_signature_verifies_with_the_secret_and_fails_with_another():
    secret = signing.new_secret()
    body = '{"type": "webhook.test", "data": {"word": "café"}}'
    headers = signing.headers(secret, "msg_1", body)
    signing.verify(secret, headers, body.encode())
    assert secret.startswith("whsec_")
    assert len(signing._key(secret)) == 32
    with pytest.raises(signing.VerificationError, match="No signature matches"):
        signing.verify(signing.new_secret(), headers, body)
    with pytest.raises(signing.VerificationError, match="No signature matches"):
        signing.verify(secret, headers, body.replace("café", "cafe"))
    with pytest.raises(signing.VerificationError, match="No signature matches"):
        signing.verify(secret, {**headers, "webhook-id": "msg_2"}, body)


def test_a_replayed_message_with_an_old_or_future_timestamp_is_rejected():
    secret = signing.new_secret()
    with time_machine.travel(datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        headers = signing.headers(secret, "msg_1", "{}")
    with time_machine.travel(datetime.datetime(2027, 3, 1, 9, 4, 59, tzinfo=datetime.UTC), tick=False):
        signing.verify(secret, headers, "{}")
    with time_machine.travel(datetime.datetime(2027, 3, 1, 9, 5, 1, tzinfo=datetime.UTC), tick=False):
        with pytest.raises(signing.VerificationError, match="replay"):
            signing.verify(secret, headers, "{}")
    with time_machine.travel(datetime.datetime(2027, 3, 1, 8, 54, 59, tzinfo=datetime.UTC), tick=False):
        with pytest.raises(signing.VerificationError, match="replay"):
            signing.verify(secret, headers, "{}")


def test_verify_accepts_any_header_capitalisation_and_refuses_missing_headers():
    secret = signing.new_secret()
    headers = {name.title(): value for name, value in signing.headers(secret, "msg_1", "{}").items()}
    signing.verify(secret, headers, "{}")
    del headers["Webhook-Signature"]
    with pytest.raises(signing.VerificationError, match="webhook-signature header is missing"):
        signing.verify(secret, headers, "{}")


# Addresses


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://example.org/hook", "must start with https://"),
        ("ftp://example.org/hook", "must start with https://"),
        ("https://10.0.0.5/hook", "private, local or reserved"),
        ("https://192.168.1.10/hook", "private, local or reserved"),
        ("https://169.254.169.254/latest/meta-data/", "private, local or reserved"),
        ("https://[fc00::1]/hook", "private, local or reserved"),
        ("https://[::ffff:10.0.0.1]/hook", "private, local or reserved"),
        ("https://0.0.0.0/hook", "private, local or reserved"),
        ("https://100.64.0.1/hook", "private, local or reserved"),
        ("http://10.0.0.5/hook", "must start with https://"),
        ("https://user:secret@example.org/hook", "user name or password"),
        ("https://example.org:99999/hook", "port"),
        ("https://exa mple.org/hook", "spaces"),
        ("https://example.org/" + "a" * 500, "at most 500"),
        ("https:///hook", "name a host"),
    ],
)
def test_an_address_outside_public_https_is_refused(url, says):
    with pytest.raises(ValidationError, match=says):
        addresses.validate(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]:9000/hook"])
def test_plain_http_to_loopback_is_accepted_only_when_loopback_is_allowed(settings, url):
    addresses.validate(url)
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(ValidationError, match="must start with https://"):
        addresses.validate(url)


@pytest.mark.parametrize("url", ["https://127.0.0.1/hook", "https://localhost/hook", "https://[::1]/hook"])
def test_https_to_loopback_is_refused_when_loopback_is_not_allowed(settings, url):
    # localhost is a name: what it resolves to is what is judged.
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(ValidationError, match="private, local or reserved"):
        addresses.validate(url)


def test_a_public_https_address_is_accepted_and_pinned_to_its_checked_address(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    target = addresses.check("https://93.184.215.14:8443/hooks/privacy?trust=x")
    assert (target.scheme, target.host, target.port) == ("https", "93.184.215.14", 8443)
    assert target.path == "/hooks/privacy?trust=x"
    assert target.addresses == ("93.184.215.14",)


def test_creating_a_webhook_refuses_a_bad_address_and_makes_nothing(world):
    with pytest.raises(ValidationError):
        delivery.create_webhook(world.trust_x, "http://example.org/hook", by=world.publisher_x)
    assert not Webhook.objects.filter(trust=world.trust_x).exists()


# Queuing and delivering


def test_an_event_is_queued_once_per_active_webhook_of_its_trust(world, receiver):
    first, second = webhook(world, receiver, "/one"), webhook(world, receiver, "/two")
    off = webhook(world, receiver, "/off")
    delivery.disable_webhook(off, by=world.publisher_x)
    event = event_of(world.school_a)
    delivery.enqueue(event)
    delivery.enqueue(event)
    queued = WebhookDelivery.objects.filter(event=event)
    assert sorted(queued.values_list("webhook_id", flat=True)) == [first.pk, second.pk]
    body = json.loads(queued[0].body)
    assert body == {"type": "version.published", "timestamp": event.due_at.isoformat(), "data": event.payload}
    assert len(set(queued.values_list("message_id", flat=True))) == 2


def test_a_delivery_is_a_signed_json_post_of_the_stored_body(world, receiver):
    hook = webhook(world, receiver, "/hook")
    delivery.enqueue(event_of(world.school_a))
    assert delivery.deliver_due() == 1
    (request,) = receiver.to("/hook")
    stored = WebhookDelivery.objects.get(webhook=hook)
    assert request.method == "POST"
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == stored.body.encode()
    assert request.headers["webhook-id"] == stored.message_id
    signing.verify(hook.secret, request.headers, request.body)
    data = sent(request)["data"]
    assert (data["school"]["slug"], data["notice"]["slug"], data["version"]) == ("school-a", "pupils-and-parents", 1)
    assert {"effective_at", "published_at", "material", "summary", "urls"} <= set(data)
    assert (stored.status, stored.attempts, stored.last_status_code) == (Status.DELIVERED, 1, 200)
    assert stored.delivered_at is not None
    assert delivery.deliver_due() == 0


def test_a_failed_attempt_is_retried_after_back_off_with_the_same_message(world, receiver):
    hook = webhook(world, receiver, "/flaky")
    receiver.answer("/flaky", 500)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        delivery.enqueue(event_of(world.school_a))
        assert delivery.deliver_due() == 1
        waiting = WebhookDelivery.objects.get(webhook=hook)
        assert (waiting.status, waiting.attempts, waiting.last_status_code) == (Status.PENDING, 1, 500)
        assert waiting.last_error == "HTTP 500 Internal Server Error"
        assert waiting.next_attempt_at == start + datetime.timedelta(seconds=30)
        clock.shift(29)
        assert delivery.deliver_due() == 0
        clock.shift(1)
        assert delivery.deliver_due() == 1
    done = WebhookDelivery.objects.get(webhook=hook)
    assert (done.status, done.attempts, done.last_status_code, done.last_error) == (Status.DELIVERED, 2, 200, "")
    first, second = receiver.to("/flaky")
    assert first.body == second.body
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert int(second.headers["webhook-timestamp"]) - int(first.headers["webhook-timestamp"]) == 30


def test_back_off_doubles_after_each_failure_up_to_an_hour():
    delays = [delivery.retry_delay(n).total_seconds() for n in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_delivery_fails_after_the_last_attempt(world, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    hook = webhook(world, receiver, "/down")
    receiver.answer("/down", 503, 503, 503, 503)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        delivery.enqueue(event_of(world.school_a))
        for _ in range(3):
            assert delivery.deliver_due() == 1
            clock.shift(3600)
        assert delivery.deliver_due() == 0
    failed = WebhookDelivery.objects.get(webhook=hook)
    assert (failed.status, failed.attempts, failed.last_status_code) == (Status.FAILED, 3, 503)
    assert len(receiver.to("/down")) == 3


def test_a_redirect_is_not_followed_and_counts_as_a_failure(world, receiver):
    hook = webhook(world, receiver, "/moved")
    receiver.answer("/moved", 302)
    delivery.enqueue(event_of(world.school_a))
    assert delivery.deliver_due() == 1
    assert [r.path for r in receiver.requests] == ["/moved"]
    moved = WebhookDelivery.objects.get(webhook=hook)
    assert (moved.status, moved.attempts, moved.last_status_code) == (Status.PENDING, 1, 302)
    assert "redirects are not followed" in moved.last_error


def test_a_receiver_that_does_not_answer_in_time_is_a_failure(world, receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    hook = webhook(world, receiver, "/slow")
    receiver.answer("/slow", "hang")
    delivery.enqueue(event_of(world.school_a))
    assert delivery.deliver_due() == 1
    slow = WebhookDelivery.objects.get(webhook=hook)
    assert (slow.status, slow.attempts, slow.last_status_code) == (Status.PENDING, 1, None)
    assert slow.last_error == "No answer within 0.2 seconds."


def test_an_unreachable_receiver_is_a_failure_with_a_one_line_error(world, receiver):
    hook = webhook(world, receiver, "/gone")
    receiver.server.shutdown()
    receiver.server.server_close()
    delivery.enqueue(event_of(world.school_a))
    assert delivery.deliver_due() == 1
    gone = WebhookDelivery.objects.get(webhook=hook)
    assert gone.status == Status.PENDING
    assert gone.attempts == 1
    assert gone.last_error.startswith("ConnectionRefusedError")
    assert "\n" not in gone.last_error


def test_https_is_sent_only_to_a_receiver_whose_certificate_verifies(world, tls_receiver, certificate, monkeypatch):
    hook = webhook(world, tls_receiver, "/tls")
    delivery.enqueue(event_of(world.school_a))
    assert delivery.deliver_due() == 1
    assert tls_receiver.requests == []
    untrusted = WebhookDelivery.objects.get(webhook=hook)
    assert untrusted.last_error.startswith("SSLCertVerificationError")

    # Trusting the receiver's certificate as a certificate authority, the same attempt goes through.
    _key, cert = certificate
    trusting = ssl.create_default_context(cafile=cert)
    monkeypatch.setattr(ssl, "create_default_context", lambda: trusting)
    WebhookDelivery.objects.filter(pk=untrusted.pk).update(next_attempt_at=timezone.now())
    assert delivery.deliver_due() == 1
    (request,) = tls_receiver.to("/tls")
    signing.verify(hook.secret, request.headers, request.body)
    assert WebhookDelivery.objects.get(pk=untrusted.pk).status == Status.DELIVERED


def test_the_address_is_checked_again_before_each_attempt(world, receiver, settings):
    hook = webhook(world, receiver, "/hook")
    delivery.enqueue(event_of(world.school_a))
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    assert delivery.deliver_due() == 1
    assert receiver.requests == []
    refused = WebhookDelivery.objects.get(webhook=hook)
    assert (refused.attempts, refused.last_status_code) == (1, None)
    assert refused.last_error == "The address must start with https://."


def test_an_event_of_a_school_goes_only_to_its_own_trusts_webhooks(world, receiver):
    own = webhook(world, receiver, "/x")
    other = webhook(world, receiver, "/y", trust=world.trust_y)
    event = event_of(world.school_a)
    delivery.enqueue(event)
    assert list(WebhookDelivery.objects.filter(event=event).values_list("webhook_id", flat=True)) == [own.pk]
    delivery.deliver_due()
    assert receiver.to("/y") == []
    (request,) = receiver.to("/x")
    assert sent(request)["data"]["school"]["slug"] == "school-a"
    with pytest.raises(signing.VerificationError):
        signing.verify(other.secret, request.headers, request.body)


def test_disabling_a_webhook_cancels_what_was_waiting_and_sends_nothing_more(world, receiver):
    hook = webhook(world, receiver, "/hook")
    delivery.enqueue(event_of(world.school_a))
    delivery.disable_webhook(hook, by=world.publisher_x)
    delivery.enqueue(event_of(world.school_b))
    assert delivery.deliver_due() == 0
    assert receiver.requests == []
    assert list(hook.deliveries.values_list("status", flat=True)) == [Status.CANCELLED]
    assert (hook.active, hook.disabled_by) == (False, world.publisher_x)
    with pytest.raises(ValidationError, match="disabled"):
        delivery.enqueue_test(hook)


# End to end: publish, the worker's pump, the trust's endpoint


def test_publishing_announces_the_version_now_and_again_when_it_comes_into_force(world, receiver):
    own = webhook(world, receiver, "/x")
    webhook(world, receiver, "/y", trust=world.trust_y)
    effective_at = timezone.now() + datetime.timedelta(days=30)
    with tenant_context(world.school_a):
        notice = Notice.objects.get(slug="pupils-and-parents")
        change_draft(notice, "A new system.")
        publish_notice(notice, user=world.publisher_x, summary="A new system.", effective_at=effective_at)
    connection.set_schema_to_public()

    pump.run_once()
    # The world's own first versions are announced too, each to its own trust's webhook.
    new = [
        r
        for r in receiver.requests
        if sent(r)["data"]["school"]["slug"] == "school-a" and sent(r)["data"]["version"] == 2
    ]
    assert [(r.path, sent(r)["type"]) for r in new] == [("/x", "version.published")]
    assert sent(new[0])["data"]["effective_at"] == effective_at.isoformat()
    assert all(
        r.path == "/x" for r in receiver.requests if sent(r)["data"]["school"]["slug"] in ("school-a", "school-b")
    )
    assert all(sent(r)["data"]["school"]["slug"] == "school-c" for r in receiver.to("/y"))
    for request in receiver.to("/x"):
        signing.verify(own.secret, request.headers, request.body)

    receiver.requests.clear()
    pump.run_once()
    assert receiver.requests == []
    with time_machine.travel(effective_at + datetime.timedelta(minutes=1)):
        pump.run_once()
        (in_force,) = receiver.requests
        signing.verify(own.secret, in_force.headers, in_force.body)
    assert in_force.path == "/x"
    assert (sent(in_force)["type"], sent(in_force)["data"]["version"]) == ("version.in_force", 2)


# The console


def url(trust, *parts):
    return "/".join([f"/trust/{trust.slug}/webhooks", *map(str, parts)]) + "/"


def test_a_publisher_sees_their_trusts_webhooks_only(world, client, receiver):
    webhook(world, receiver, "/ours")
    webhook(world, receiver, "/theirs", trust=world.trust_y)
    client.force_login(world.publisher_x)
    response = client.get(url(world.trust_x), HTTP_HOST="localhost")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{receiver.url}/ours" in html
    assert "/theirs" not in html


def test_a_publisher_adds_a_webhook_and_is_shown_its_secret(world, client, receiver):
    client.force_login(world.publisher_x)
    response = client.post(url(world.trust_x), {"url": f"{receiver.url}/new"}, HTTP_HOST="localhost")
    hook = Webhook.objects.get(trust=world.trust_x)
    assert response.status_code == 302
    assert response["Location"] == url(world.trust_x, hook.pk)
    page = client.get(response["Location"], HTTP_HOST="localhost")
    assert hook.secret in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert hook.created_by == world.publisher_x


def test_a_refused_address_is_explained_and_nothing_is_made(world, client):
    client.force_login(world.publisher_x)
    response = client.post(url(world.trust_x), {"url": "http://example.org/hook"}, HTTP_HOST="localhost")
    assert response.status_code == 400
    assert "must start with https://" in response.content.decode()
    assert not Webhook.objects.exists()


def test_another_trusts_webhook_is_a_404_under_this_trusts_address(world, client, receiver):
    ours = webhook(world, receiver, "/x")
    theirs = webhook(world, receiver, "/y", trust=world.trust_y)
    client.force_login(world.publisher_y)
    assert client.get(url(world.trust_y, ours.pk), HTTP_HOST="localhost").status_code == 404
    assert client.post(url(world.trust_y, ours.pk, "test"), HTTP_HOST="localhost").status_code == 404
    assert client.post(url(world.trust_y, ours.pk, "disable"), HTTP_HOST="localhost").status_code == 404
    client.force_login(world.publisher_x)
    assert client.get(url(world.trust_x, theirs.pk), HTTP_HOST="localhost").status_code == 404
    assert client.get(url(world.trust_y, ours.pk), HTTP_HOST="localhost").status_code == 403
    ours.refresh_from_db()
    assert ours.active
    assert not ours.deliveries.exists()


@pytest.mark.parametrize("persona", ["editor_a", "publisher_y", "platform_admin"])
def test_webhook_pages_are_for_the_trusts_publishers_only(world, client, receiver, persona):
    hook = webhook(world, receiver, "/x")
    client.force_login(getattr(world, persona))
    for address in (url(world.trust_x), url(world.trust_x, hook.pk)):
        response = client.get(address, HTTP_HOST="localhost")
        assert response.status_code == 403
        assert hook.secret not in response.content.decode()
    assert client.post(url(world.trust_x, hook.pk, "test"), HTTP_HOST="localhost").status_code == 403
    assert client.post(url(world.trust_x, hook.pk, "disable"), HTTP_HOST="localhost").status_code == 403
    hook.refresh_from_db()
    assert hook.active
    assert not hook.deliveries.exists()


def test_anonymous_visitors_are_asked_to_sign_in(world, client):
    response = client.get(url(world.trust_x), HTTP_HOST="localhost")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_test_button_queues_a_signed_test_event_that_the_worker_delivers(world, client, receiver):
    hook = webhook(world, receiver, "/x")
    client.force_login(world.publisher_x)
    response = client.post(url(world.trust_x, hook.pk, "test"), HTTP_HOST="localhost")
    assert response.status_code == 302
    assert delivery.deliver_due() == 1
    (request,) = receiver.to("/x")
    signing.verify(hook.secret, request.headers, request.body)
    body = sent(request)
    assert body["type"] == "webhook.test"
    assert body["data"]["trust"]["slug"] == "trust-x"
    page = client.get(url(world.trust_x, hook.pk), HTTP_HOST="localhost").content.decode()
    assert "webhook.test" in page
    assert "Delivered" in page
    assert "HTTP 200" in page


def test_get_on_the_test_and_disable_addresses_changes_nothing(world, client, receiver):
    hook = webhook(world, receiver, "/x")
    client.force_login(world.publisher_x)
    assert client.get(url(world.trust_x, hook.pk, "test"), HTTP_HOST="localhost").status_code == 405
    assert client.get(url(world.trust_x, hook.pk, "disable"), HTTP_HOST="localhost").status_code == 405
    hook.refresh_from_db()
    assert hook.active
    assert not hook.deliveries.exists()


def test_the_disable_button_turns_the_webhook_off(world, client, receiver):
    hook = webhook(world, receiver, "/x")
    client.force_login(world.publisher_x)
    response = client.post(url(world.trust_x, hook.pk, "disable"), HTTP_HOST="localhost")
    assert response.status_code == 302
    hook.refresh_from_db()
    assert not hook.active
    page = client.get(url(world.trust_x, hook.pk), HTTP_HOST="localhost").content.decode()
    assert "Disabled on" in page
    assert "Send test event" not in page
    client.post(url(world.trust_x, hook.pk, "test"), HTTP_HOST="localhost")
    assert not hook.deliveries.exists()


def test_the_delivery_log_shows_each_attempt_newest_first_in_constant_queries(
    world, client, receiver, django_assert_num_queries
):
    hook = webhook(world, receiver, "/x")
    receiver.answer("/x", 500)
    delivery.enqueue_test(hook)
    delivery.deliver_due()
    client.force_login(world.publisher_x)
    delivery.enqueue_test(hook)
    # The schema, the session, the user, the trust, the membership, the webhook, the count and the log.
    with django_assert_num_queries(8) as few:
        page = client.get(url(world.trust_x, hook.pk), HTTP_HOST="localhost").content.decode()
    newest, oldest = re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", page, re.S)
    assert "HTTP 500" not in newest
    assert "HTTP 500 Internal Server Error" in oldest
    for _ in range(59):
        delivery.enqueue_test(hook)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url(world.trust_x, hook.pk), HTTP_HOST="localhost").content.decode()
    assert page.count('<th scope="row">webhook.test</th>') == 50
    assert "the 50 newest of 61" in page
    assert "HTTP 500 Internal Server Error" not in page
