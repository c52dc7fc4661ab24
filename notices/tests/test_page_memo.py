"""Public pages held in each process's memory: answered before routing, retired by publishing."""

import time

import pytest
from django.core.cache import cache
from django.db import connection
from django_tenants.utils import schema_context, tenant_context

from conftest import host
from notices import cache as page_cache
from notices.models import Notice
from notices.publishing import publish_notice
from tenants import generations

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_cache")]
SLUG = "pupils-and-parents"
CURRENT = f"/privacy/{SLUG}/"


class Unreachable:
    """Stands in for the shared cache where a memory hit must not look."""

    def __getattr__(self, name):
        raise AssertionError(f"the shared cache was used ({name})")


@pytest.fixture
def memory_only(monkeypatch):
    """From here on, the shared page and host caches fail if anything reads them."""

    def install():
        monkeypatch.setattr("notices.cache.cache", Unreachable())
        monkeypatch.setattr("tenants.middleware.cache", Unreachable())

    return install


@pytest.fixture
def clock(monkeypatch):
    """Freeze the clock the token memo reads, so its time window is exact."""
    now = [1000.0]
    monkeypatch.setattr(generations.time, "monotonic", lambda: now[0])
    return now


def get(client, school, path, **headers):
    return client.get(path, HTTP_HOST=host(school), **headers)


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def publish(world, school, summary, *, notify=True, capture=None):
    with tenant_context(school):
        notice = Notice.objects.get(slug=SLUG)
        notice.summary = summary
        notice.save()
        if notify:
            with capture(execute=True):
                publish_notice(notice, user=world.publisher_x, summary=summary)
        else:
            publish_notice(notice, user=world.publisher_x, summary=summary)
    connection.set_schema_to_public()


@pytest.mark.parametrize("path", [CURRENT, f"/privacy/{SLUG}.pdf", f"/privacy/{SLUG}/versions/1/"])
def test_a_repeat_request_is_answered_from_memory_with_the_same_bytes_and_headers(
    world, client, memory_only, django_assert_num_queries, path
):
    first = get(client, world.school_a, path)
    memory_only()
    with django_assert_num_queries(0):
        again = get(client, world.school_a, path)
    assert again.status_code == first.status_code == 200
    assert body(again) == body(first)
    assert dict(again.headers) == dict(first.headers)
    assert "Content-Security-Policy" in again.headers
    assert again.headers["X-Frame-Options"] == "DENY"


def test_a_conditional_repeat_is_a_304_from_memory(world, client, memory_only):
    etag = get(client, world.school_a, CURRENT)["ETag"]
    memory_only()
    again = get(client, world.school_a, CURRENT, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag


def test_memory_never_answers_for_another_school_at_the_same_path(world, client, memory_only):
    assert b"MarkerA" in get(client, world.school_a, CURRENT).content
    assert b"MarkerB" in get(client, world.school_b, CURRENT).content
    memory_only()
    page_b = get(client, world.school_b, CURRENT).content
    assert b"MarkerB" in page_b
    assert b"MarkerA" not in page_b


def test_publishing_retires_the_page_in_memory_at_once_in_the_publishing_process(
    world, client, django_capture_on_commit_callbacks
):
    assert b"Version 1," in get(client, world.school_a, CURRENT).content
    publish(world, world.school_a, "Now in plainer words.", capture=django_capture_on_commit_callbacks)
    page = get(client, world.school_a, CURRENT).content
    assert b"Version 2," in page
    assert b"Now in plainer words." in page


def test_publishing_one_school_keeps_the_other_schools_pages_in_memory(
    world, client, memory_only, django_capture_on_commit_callbacks
):
    get(client, world.school_b, CURRENT)
    publish(world, world.school_a, "Only A changes.", capture=django_capture_on_commit_callbacks)
    memory_only()
    assert b"MarkerB" in get(client, world.school_b, CURRENT).content


def test_a_publish_in_another_process_is_seen_once_the_token_window_passes(world, client, clock):
    assert b"Version 1," in get(client, world.school_a, CURRENT).content
    # Another process publishes: the version is committed and the shared token
    # replaced, but this process still holds the token it read.
    publish(world, world.school_a, "Published elsewhere.", notify=False)
    with schema_context("public"):
        cache.set(f"token:{generations.pages(world.school_a.schema_name)}", "replaced-elsewhere", None)
    clock[0] += generations.TOKEN_SECONDS / 2
    assert b"Version 1," in get(client, world.school_a, CURRENT).content
    clock[0] += generations.TOKEN_SECONDS
    assert b"Version 2," in get(client, world.school_a, CURRENT).content


def test_a_token_lost_from_the_shared_cache_retires_what_was_made_under_it(world, client, clock):
    get(client, world.school_a, CURRENT)
    held = page_cache.memo.get((host(world.school_a), CURRENT))
    assert held is not None
    assert held.current()
    cache.clear()
    clock[0] += generations.TOKEN_SECONDS * 2
    assert not held.current()


def test_memory_is_bounded_and_drops_the_least_recently_used_page():
    memo = page_cache._Memo(limit=10)

    class Page:
        def __init__(self, size):
            self.body = b"x" * size

    memo.put("a", Page(4))
    memo.put("b", Page(4))
    memo.get("a")
    memo.put("c", Page(4))
    assert memo.get("b") is None
    assert memo.get("a") is not None
    assert memo.get("c") is not None
    assert memo.size == 8
    memo.put("huge", Page(11))
    assert memo.get("huge") is None


def test_a_page_held_in_memory_is_not_used_past_its_maximum_age_even_with_its_tokens_unchanged(world, client, clock):
    get(client, world.school_a, CURRENT)
    held = page_cache.memo.get((host(world.school_a), CURRENT))
    clock[0] += generations.MAX_AGE - 1
    assert held.current()
    clock[0] += 2
    assert not held.current()


@pytest.fixture
def later(monkeypatch):
    """later(seconds): every clock (the caches' expiry, the token memo) jumps ahead."""
    real_time, real_monotonic = time.time, time.monotonic
    offset = [0.0]
    monkeypatch.setattr(time, "time", lambda: real_time() + offset[0])
    monkeypatch.setattr(time, "monotonic", lambda: real_monotonic() + offset[0])

    def later(seconds):
        offset[0] += seconds

    return later


def test_a_publish_whose_invalidation_was_lost_is_seen_within_the_maximum_age(world, client, later, shared_cache):
    if shared_cache == "redis":
        pytest.skip(
            "Redis expires keys by its own clock, which this test cannot move; the token's TTL is set all the same"
        )
    assert b"Version 1," in get(client, world.school_a, CURRENT).content
    publish(world, world.school_a, "Published, but the token was never replaced.", notify=False)
    later(generations.MAX_AGE / 2)
    assert b"Version 1," in get(client, world.school_a, CURRENT).content
    later(generations.MAX_AGE / 2 + 1)
    assert b"Version 2," in get(client, world.school_a, CURRENT).content
