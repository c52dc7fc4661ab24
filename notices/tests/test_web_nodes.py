"""Two web nodes (gunicorn processes) sharing one PostgreSQL, one real Redis and one real S3-compatible bucket.

A version published through node A is what node B serves, once its token
interval has passed, and ever after; the PDF published on A downloads from B.
"""

import hashlib
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import tenant_context

from conftest import PASSWORD, database_url
from notices.demo import load_notice
from notices.models import Notice, NoticeVersion
from notices.publishing import publish_notice
from notices.tests.factories import notice_data
from tenants import generations
from tenants.models import Membership, Trust, User
from tenants.provisioning import create_school
from trust_portal.settings import _cache, _storage

pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 60
SLUG = "pupils-and-parents"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(condition, what):
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Waited {WAIT} s for {what}")
        time.sleep(0.1)


class Node:
    """One gunicorn process on a free port, configured only by the environment, as a deployment would be."""

    def __init__(self, env, folder, name):
        self.port = _free_port()
        self.log = folder / f"{name}.log"
        self.process = subprocess.Popen(  # noqa: S603 (the venv's gunicorn and our arguments)
            [str(Path(sys.executable).with_name("gunicorn")), "trust_portal.wsgi:application"]
            + ["--bind", f"127.0.0.1:{self.port}", "--workers", "1"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=open(self.log, "w"),  # noqa: SIM115 (the child holds it)
            stderr=subprocess.STDOUT,
        )
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        _wait_for(self._answers, f"{name} to answer")

    def _answers(self):
        try:
            return self.get("localhost", "/healthz").status == 200
        except OSError:
            return False

    def get(self, host, path):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers={"Host": host})
        return self.opener.open(request, timeout=10)  # noqa: S310 (loopback)

    def post(self, host, path, data):
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=body, headers={"Host": host})
        return self.opener.open(request, timeout=60)  # noqa: S310 (loopback)

    def stop(self):
        self.process.terminate()
        self.process.wait(WAIT)


def _hidden(html, name):
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


@pytest.fixture
def shared(settings, redis_server, s3_server):
    """The shared services, for the nodes' environment and for this process (the third node: the test)."""
    storage_url = f"s3://{s3_server.bucket}/nodes?endpoint_url={s3_server.endpoint}&region_name=eu-west-2"
    storage = _storage(storage_url)
    storage["OPTIONS"] |= {"access_key": s3_server.key, "secret_key": s3_server.secret}
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    settings.CACHES = {
        "default": {
            **_cache(redis_server.url),
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "KEY_PREFIX": connection.settings_dict["NAME"],
        }
    }
    generations.forget_local()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_OWNER_URL", "MEDIA_ROOT"}},
        "DATABASE_URL": database_url("default"),
        "CACHE_URL": redis_server.url,
        "STORAGE_URL": storage_url,
        "AWS_ACCESS_KEY_ID": s3_server.key,
        "AWS_SECRET_ACCESS_KEY": s3_server.secret,
        "PORTAL_DOMAIN": "localhost",
        "DEBUG": "1",
    }
    yield env
    generations.forget_local()


def _school_with_one_version():
    """A new trust and school (committed: the nodes are other processes), its notice published once, on S3."""
    tag = uuid.uuid4().hex[:6]
    trust = Trust.objects.create(
        slug=f"nodes-{tag}",
        name=f"Nodes Trust {tag}",
        address="1 Node Road",
        ico_registration=f"ZN{int(tag, 16) % 1000000:06d}",
        dpo_name="DPO",
        dpo_email="dpo@nodes.example.org",
        complaints_contact="complaints@nodes.example.org",
        min_notice_days=0,  # published change after change; the notice period has its own tests
    )
    school = create_school(
        trust=trust, name=f"Node School {tag}", slug=f"node-{tag}", urn=f"98{int(tag, 16) % 10000:04d}"
    )
    publisher = User.objects.create_user(f"publisher-{tag}@nodes.example.org", PASSWORD, name="Node publisher")
    Membership.objects.create(user=publisher, role="publisher", trust=trust)
    with tenant_context(school):
        notice = load_notice(notice_data("Nodes"))
        publish_notice(notice, user=publisher, summary="First version.")
    connection.set_schema_to_public()
    return school, notice, publisher


def test_a_version_published_on_node_a_is_served_by_node_b_and_its_pdf_downloads_there(shared, tmp_path):
    school, notice, publisher = _school_with_one_version()
    school_host = f"{school.slug}.localhost"

    a, b = Node(shared, tmp_path, "node-a"), Node(shared, tmp_path, "node-b")
    try:
        assert b"Version 1," in b.get(school_host, f"/privacy/{SLUG}/").read()
        # Publish through node A's admin, as a publisher would.
        login = a.get(school_host, "/admin/login/").read().decode()
        a.post(
            school_host,
            "/admin/login/?next=/admin/",
            {
                "csrfmiddlewaretoken": _hidden(login, "csrfmiddlewaretoken"),
                "username": publisher.email,
                "password": PASSWORD,
            },
        )
        with tenant_context(school):
            Notice.objects.filter(pk=notice.pk).update(summary="Changed on node A.")
        connection.set_schema_to_public()
        page = a.get(school_host, f"/admin/notices/notice/{notice.pk}/publish/").read().decode()
        a.post(
            school_host,
            f"/admin/notices/notice/{notice.pk}/publish/",
            {
                "csrfmiddlewaretoken": _hidden(page, "csrfmiddlewaretoken"),
                "base_number": _hidden(page, "base_number"),
                "base_hash": _hidden(page, "base_hash"),
                "summary": "Published on node A.",
                "material": "on",
            },
        )
        with tenant_context(school):
            version = NoticeVersion.objects.get(number=2)
        connection.set_schema_to_public()

        _wait_for(lambda: b"Version 2," in b.get(school_host, f"/privacy/{SLUG}/").read(), "node B to serve v2")
        # Never a stale page after: both nodes, again and again.
        for node in (a, b) * 5:
            assert b"Version 2," in node.get(school_host, f"/privacy/{SLUG}/").read()
        pdf = b.get(school_host, f"/privacy/{SLUG}/versions/2.pdf").read()
        assert hashlib.sha256(pdf).hexdigest() == version.pdf_sha256
        listed = shared_keys(shared)
        assert any(key.startswith(f"nodes/{school.schema_name}/notices/") for key in listed)
    finally:
        a.stop()
        b.stop()


def shared_keys(env):
    import boto3

    query = urllib.parse.parse_qs(urllib.parse.urlsplit(env["STORAGE_URL"]).query)
    client = boto3.client(
        "s3",
        endpoint_url=query["endpoint_url"][0],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name="eu-west-2",
    )
    bucket = urllib.parse.urlsplit(env["STORAGE_URL"]).hostname
    return {item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])}


def test_the_same_change_published_on_two_nodes_at_once_makes_one_version_and_one_file(shared):
    school, notice, publisher = _school_with_one_version()
    with tenant_context(school):
        Notice.objects.filter(pk=notice.pk).update(summary="Changed on both nodes.")
    connection.set_schema_to_public()
    command = [sys.executable, "manage.py", "publish_notice", school.slug, SLUG, "--summary", "Race."]
    nodes = [
        subprocess.Popen(  # noqa: S603 (our own arguments)
            [*command, "--user", publisher.email],
            cwd=settings.BASE_DIR,
            env=shared,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = sorted((node.wait(WAIT), node.stderr.read()) for node in nodes)
    assert [code for code, _ in outcomes] == [0, 1]
    assert "Not published" in outcomes[1][1]
    with tenant_context(school):
        assert sorted(NoticeVersion.objects.values_list("number", flat=True)) == [1, 2]
        stored = set(NoticeVersion.objects.values_list("pdf", flat=True))
    connection.set_schema_to_public()
    prefix = f"nodes/{school.schema_name}/"
    in_bucket = {key.removeprefix(prefix) for key in shared_keys(shared) if key.startswith(prefix)}
    assert in_bucket == stored  # no stray file from the publish that lost


class Proxy:
    """A TCP relay in front of PostgreSQL: stop() is what a database restart looks like to the web node
    (every connection cut, new ones refused), start() brings the database back on the same address."""

    def __init__(self, target_port):
        import threading

        self.target = ("127.0.0.1", int(target_port))
        self.port = _free_port()
        self.threading = threading
        self.sockets = []
        self.listener = None

    def start(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(64)
        self.threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # stopped
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                self.threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        # shutdown() first: close() alone does not wake a thread blocked in accept() on Linux.
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.sockets = []


def _status(node, host, path):
    try:
        return node.get(host, path).status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_database_restart_while_parents_load_pages_serves_cached_pages_and_recovers_by_itself(world, tmp_path):
    db = connection.settings_dict
    proxy = Proxy(db["PORT"])
    proxy.start()
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@127.0.0.1:{proxy.port}/{db['NAME']}"
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_OWNER_URL", "STORAGE_URL"}},
        "DATABASE_URL": url,
        "CACHE_URL": f"file://{tmp_path / 'cache'}",
        "PORTAL_DOMAIN": "localhost",
        "DEBUG": "1",
    }
    school_host = f"{world.school_a.slug}.localhost"
    cached, uncached = f"/privacy/{SLUG}/", f"/privacy/{SLUG}/versions/1/"
    node = Node(env, tmp_path, "node")
    try:
        assert _status(node, school_host, cached) == 200
        proxy.stop()  # the database restarts
        during = [_status(node, school_host, path) for path in (cached, uncached) * 3]
        assert during == [200, 503] * 3  # cached pages still served; the rest says "try again", never a 500
        proxy.start()  # and is back
        _wait_for(lambda: _status(node, school_host, uncached) == 200, "the node to recover by itself")
        after = [_status(node, school_host, path) for path in (cached, uncached) * 3]
        assert after == [200, 200] * 3
    finally:
        node.stop()
        proxy.stop()
