"""The shared cache on a real Redis: pages degrade to the database while it is unreachable, never to a 500."""

import pytest
import redis
from django.core.cache import cache
from django.db import connection
from django_tenants.utils import tenant_context

from conftest import host
from notices import cache as page_cache
from notices.models import Notice
from notices.publishing import publish_notice
from tenants import generations

pytestmark = [pytest.mark.django_db, pytest.mark.parametrize("shared_cache", ["redis"], indirect=True)]
CURRENT = "/privacy/pupils-and-parents/"


@pytest.fixture
def on_redis(shared_cache, redis_server):
    yield redis_server
    if redis_server.process is None:
        redis_server.start()  # the session's other tests use it too


def another_process():
    """What a request in another worker process starts with: nothing in this process's memory."""
    generations.forget_local()
    page_cache.memo.clear()


def page(client, school):
    return client.get(CURRENT, HTTP_HOST=host(school))


def test_a_parent_gets_the_page_while_redis_is_down_and_sees_a_publish_made_meanwhile(
    world, client, on_redis, django_capture_on_commit_callbacks
):
    assert b"Version 1," in page(client, world.school_a).content
    on_redis.stop()
    another_process()
    during = page(client, world.school_a)
    assert during.status_code == 200
    assert b"Version 1," in during.content
    with tenant_context(world.school_a):
        notice = Notice.objects.get()
        notice.summary = "Changed while Redis was down."
        notice.save()
        with django_capture_on_commit_callbacks(execute=True):
            publish_notice(notice, user=world.publisher_x, summary="Published while Redis was down.")
    connection.set_schema_to_public()
    another_process()
    assert b"Version 2," in page(client, world.school_a).content
    on_redis.start()
    another_process()
    assert b"Version 2," in page(client, world.school_a).content
    # Back to normal: the page is stored in Redis again for the next process.
    assert redis.Redis.from_url(on_redis.url).dbsize() > 0


def test_cache_calls_while_redis_is_down_are_misses_and_dropped_writes(on_redis):
    cache.set("kept", "before")
    on_redis.stop()
    assert cache.get("kept", "missed") == "missed"
    assert cache.get_many(["kept"]) == {}
    assert cache.add("new", 1) is False
    assert cache.set_many({"a": 1}) == ["a"]
    assert cache.set("b", 2) is None
    assert generations.token("pages:school_a") != generations.token("pages:school_a")  # nothing is reused


def test_change_tokens_in_redis_expire_after_the_maximum_age(world, client, on_redis):
    assert page(client, world.school_a).status_code == 200
    client_redis = redis.Redis.from_url(on_redis.url)
    ttls = [client_redis.ttl(key) for key in client_redis.scan_iter("*token:*")]
    assert ttls
    assert all(0 < ttl <= generations.MAX_AGE for ttl in ttls)
