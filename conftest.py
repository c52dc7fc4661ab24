"""Shared test world: two trusts, three schools (each its own schema) and the personas.

Schemas are expensive to create, so they are made once per test session and
committed; each test then runs in a transaction that is rolled back.
"""

import os
import tempfile
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import TransactionTestCase, override_settings
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


def pytest_configure(config):
    _cache_override.enable()
    _media_override.enable()
    TransactionTestCase._fixture_teardown = _keep_committed_rows


def pytest_unconfigure(config):
    import shutil

    shutil.rmtree(_MEDIA_ROOT, ignore_errors=True)


def pytest_collection_modifyitems(items):
    # The world lives in the test database: any test using it needs database access,
    # or pytest-django would not create the test database at all.
    for item in items:
        if "world" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.django_db)


def _trust(slug, name, ico):
    return Trust.objects.create(
        slug=slug,
        name=name,
        address=f"1 {name} Road\nTown",
        ico_registration=ico,
        dpo_name=f"{name} DPO",
        dpo_email=f"dpo@{slug}.example.org",
        complaints_contact=f"Email complaints@{slug}.example.org; we acknowledge within 30 days.",
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

    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    return subprocess.run(  # noqa: S603 (arguments are the tests' own literals)
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def host(school):
    return f"{school.slug}.localhost"


def change_draft(notice, words="Updated."):
    """Give `notice`'s draft a real change: publishing content that did not change is refused."""
    from notices.models import Notice

    current = Notice.objects.get(pk=notice.pk).summary
    Notice.objects.filter(pk=notice.pk).update(summary=f"{current} {words}")
    notice.refresh_from_db()
