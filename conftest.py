"""Shared test world: two trusts, three schools (each its own schema) and the personas.

Schemas are expensive to create, so they are made once per test session and
committed; each test then runs in a transaction that is rolled back.
"""

import os
import tempfile
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from django.db import connection, connections, transaction
from django.test import TestCase, TransactionTestCase, override_settings
from django_tenants.utils import tenant_context

from notices.demo import load_notice
from notices.publishing import publish_notice
from notices.tests.factories import notice_data
from tenants import generations
from tenants.models import Membership, Trust, User
from tenants.provisioning import create_school

PASSWORD = "correct-horse-battery-staple"

# A process-local cache: entries from one test (or one run) never answer another.
_cache_override = override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_FUNCTION": "django_tenants.cache.make_key",
        }
    }
)


# Tests never write into the real var/media; child processes (run_manage) get the same folder.
_MEDIA_ROOT = tempfile.mkdtemp(prefix="trust-portal-test-media-")
os.environ["MEDIA_ROOT"] = _MEDIA_ROOT
_media_override = override_settings(MEDIA_ROOT=_MEDIA_ROOT)


def _keep_committed_rows(self):
    """Teardown of a transaction=True test: leave what it committed in place.

    Django would flush (TRUNCATE) every table, which the append-only triggers
    refuse, and which would also wipe the session-wide `world`. pytest-django
    runs transactional tests after all others, and the test database is
    dropped at the end of the session, so a transactional test only has to
    make its own rows (or assert relative to what it found) to stay independent.
    """


_validate_databases = TransactionTestCase._validate_databases.__func__


def _with_owner(cls):
    """Every test may reach the owner's connection, as provisioning does."""
    return frozenset(_validate_databases(cls)) | ({"owner"} & set(connections))


def _enter_atomics_but_on_mirrors(cls):
    """TestCase's rolled-back transaction, on the test database's own connections only.

    The owner's connection mirrors the test database: what provisioning does
    through it commits, as in production, so the test's connection sees the
    school it made (tests make schools with their own slugs and URNs).
    """
    atomics = {}
    for alias in cls._databases_names(include_mirrors=False):
        atomics[alias] = transaction.atomic(using=alias)
        atomics[alias]._from_testcase = True
        atomics[alias].__enter__()
    return atomics


def _rollback_atomics_opened(cls, atomics):
    for alias in reversed(list(atomics)):
        transaction.set_rollback(True, using=alias)
        atomics[alias].__exit__(None, None, None)


def _log_in_as(role):
    """Point the default connection at another role (the database stays the test one)."""
    default = connections["default"]
    default.close()
    default.settings_dict.update(role)


def _role(alias):
    return {key: connections[alias].settings_dict[key] for key in ("USER", "PASSWORD")}


def pytest_configure(config):
    _cache_override.enable()
    _media_override.enable()
    TransactionTestCase._fixture_teardown = _keep_committed_rows
    TransactionTestCase._validate_databases = classmethod(_with_owner)
    TestCase._enter_atomics = classmethod(_enter_atomics_but_on_mirrors)
    TestCase._rollback_atomics = classmethod(_rollback_atomics_opened)


def pytest_unconfigure(config):
    import shutil

    shutil.rmtree(_MEDIA_ROOT, ignore_errors=True)


def pytest_collection_modifyitems(items):
    # The world lives in the test database: any test using it needs database access,
    # or pytest-django would not create the test database at all.
    for item in items:
        if "world" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    # The test database is made, owned and migrated by the owner role, as in production.
    if "owner" in connections:
        _APP_ROLE.update(_role("default"))
        _log_in_as(_role("owner"))


_APP_ROLE = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """The whole suite then runs as the app role (docs/decisions/0006); the owner drops the database at the end."""
    if _APP_ROLE:
        _log_in_as(_APP_ROLE)
    yield
    if _APP_ROLE:
        connections["owner"].close()
        _log_in_as(_role("owner"))


def _trust(slug, name, ico):
    return Trust.objects.create(
        slug=slug,
        name=name,
        address=f"1 {name} Road\nTown",
        ico_registration=ico,
        dpo_name=f"{name} DPO",
        dpo_email=f"dpo@{slug}.example.org",
        complaints_contact=f"Email complaints@{slug}.example.org; we acknowledge within 30 days.",
        # Most tests publish one change after another; the tests of the notice period set their own.
        min_notice_days=0,
    )


def next_number(model, field, prefix, width):
    """The next free `prefix`NNN value of `field`, for rows committed by tests that run other processes."""
    from django.db.models import Max

    top = model.objects.filter(**{f"{field}__startswith": prefix}).aggregate(top=Max(field))["top"]
    return f"{prefix}{int(top[len(prefix) :]) + 1 if top else 1:0{width}d}"


def new_trust(kind, ico_prefix):
    """A trust of its own (slug `<kind>-<tag>`), for tests whose rows are committed and seen by other processes."""
    import uuid

    tag = uuid.uuid4().hex[:8]
    return Trust.objects.create(
        slug=f"{kind}-{tag}",
        name=f"{kind.title()} Trust {tag}",
        address=f"1 {kind.title()} Road",
        ico_registration=next_number(Trust, "ico_registration", ico_prefix, 6),
        dpo_name=f"{kind.title()} DPO",
        dpo_email=f"dpo@{kind}-{tag}.example.org",
        complaints_contact="complaints@example.org",
        min_notice_days=0,  # published change after change; the notice period has its own tests
    )


def _user(email, **fields):
    return User.objects.create_user(email, PASSWORD, name=email.split("@")[0], **fields)


@pytest.fixture(scope="session")
def world(django_db_setup, django_db_blocker):
    """School A and B in trust X, school C in trust Y; each with a published notice marked with its name."""
    with django_db_blocker.unblock():
        trust_x = _trust("trust-x", "Xavier Trust", "ZZ900001")
        trust_y = _trust("trust-y", "Yarrow Trust", "ZZ900002")
        schools = {}
        for key, trust, urn in (("a", trust_x, "990001"), ("b", trust_x, "990002"), ("c", trust_y, "990003")):
            schools[key] = create_school(
                trust=trust,
                name=f"School {key.upper()}",
                slug=f"school-{key}",
                urn=urn,
                address=f"{key.upper()} Lane",
                headteacher=f"Head {key.upper()}",
                contact_email=f"office@school-{key}.example.org",
            )
        w = SimpleNamespace(
            trust_x=trust_x,
            trust_y=trust_y,
            school_a=schools["a"],
            school_b=schools["b"],
            school_c=schools["c"],
            editor_a=_user("editor-a@example.org"),
            editor_b=_user("editor-b@example.org"),
            publisher_x=_user("publisher-x@example.org"),
            publisher_y=_user("publisher-y@example.org"),
            platform_admin=_user("admin@example.org", is_platform_admin=True),
        )
        Membership.objects.create(user=w.editor_a, role="editor", school=w.school_a)
        Membership.objects.create(user=w.editor_b, role="editor", school=w.school_b)
        Membership.objects.create(user=w.publisher_x, role="publisher", trust=trust_x)
        Membership.objects.create(user=w.publisher_y, role="publisher", trust=trust_y)
        for key, school in schools.items():
            with tenant_context(school):
                notice = load_notice(notice_data(f"Marker{key.upper()}"), user=w.publisher_x)
                publish_notice(notice, user=w.publisher_x, summary=f"First version for school {key}.")
        connection.set_schema_to_public()
    return w


@pytest.fixture(autouse=True)
def _fresh_connection_and_cache():
    # Rolled-back transactions also roll back SET search_path; start every test on public.
    from django.core.cache import cache

    connection.set_schema_to_public()
    cache.clear()
    # Tokens this process holds were read from the cache just cleared; forgetting
    # them also retires every page held in memory (notices.cache.memo).
    generations.forget_local()
    yield
    connection.set_schema_to_public()


def run_manage(*args):
    """manage.py in a child process, on the test database: what an operator sees, exit status included."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    env = {**os.environ, "DATABASE_URL": database_url("default")}
    if "owner" in connections:
        env["DATABASE_OWNER_URL"] = database_url("owner")
    return subprocess.run(  # noqa: S603 (arguments are the tests' own literals)
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@contextmanager
def owner_cursor(schema="public"):
    """A cursor as the owner role, whom only the append-only triggers stop; its transaction is rolled back.

    Tests of the triggers use it: the app role, which the suite runs as, is refused by its grants first.
    """
    alias = "owner" if "owner" in connections else "default"
    owner = connections[alias]
    try:
        with transaction.atomic(using=alias), owner.cursor() as cursor:
            cursor.execute("SELECT set_config('search_path', %s, true)", [f"{schema}, public"])
            # A lock held by the test's own transaction fails the test instead of hanging it.
            cursor.execute("SET LOCAL lock_timeout = '10s'")
            yield cursor
            transaction.set_rollback(True, using=alias)
    finally:
        owner.set_schema_to_public()


def database_url(alias):
    """The test database as `alias`'s role sees it, for child processes."""
    db = connections[alias].settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def host(school):
    return f"{school.slug}.localhost"


def change_draft(notice, words="Updated."):
    """Give `notice`'s draft a real change: publishing content that did not change is refused."""
    from notices.models import Notice

    current = Notice.objects.get(pk=notice.pk).summary
    Notice.objects.filter(pk=notice.pk).update(summary=f"{current} {words}")
    notice.refresh_from_db()


class RedisServer:
    """A real redis-server on a free loopback port, with no persistence; stopped and started by outage tests."""

    BINARY = "/usr/bin/redis-server"

    def __init__(self, workdir):
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        import subprocess
        import time

        import redis

        self.process = subprocess.Popen(  # noqa: S603 (a fixed binary and our own arguments)
            [self.BINARY, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """Started once for the session when a test asks for it; skipped, saying why, where Redis cannot be installed."""
    if not os.path.exists(RedisServer.BINARY):
        pytest.skip("redis-server is missing: make test installs it as root (apt-get install redis-server)")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real S3-compatible server process (moto's, speaking HTTP on a free loopback port) with one bucket."""
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    binary = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(  # noqa: S603 (the venv's own server and our arguments)
        [str(binary), "-H", "127.0.0.1", "-p", str(port)],
        cwd=tmp_path_factory.mktemp("s3"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = SimpleNamespace(
        endpoint=f"http://127.0.0.1:{port}", bucket="portal-pdfs", key="test-key", secret="test-secret"
    )
    client = boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        aws_access_key_id=server.key,
        aws_secret_access_key=server.secret,
        region_name="eu-west-2",
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            client.create_bucket(Bucket=server.bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
            break
        except (BotoCoreError, ClientError):
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("moto_server did not start") from None
            time.sleep(0.1)
    server.client = client
    yield server
    process.terminate()
    process.wait(timeout=10)
