"""Cached host → school entries live under the hosts token; replacing tokens at commit never fails the commit."""

import logging

import pytest

from conftest import host
from tenants import generations
from tenants.middleware import school_for_host
from tenants.models import School, Trust
from tenants.provisioning import forget_schools

pytestmark = pytest.mark.django_db


def test_replacing_the_hosts_token_retires_every_cached_host_entry(world):
    hosts = [host(world.school_a), host(world.school_b)]
    assert [school_for_host(h).name for h in hosts] == ["School A", "School B"]
    # An edit outside every service that replaces tokens: the cache still answers with the old rows.
    School.objects.filter(pk__in=[world.school_a.pk, world.school_b.pk]).update(name="Renamed")
    assert [school_for_host(h).name for h in hosts] == ["School A", "School B"]
    generations.replace(generations.HOSTS)
    assert [school_for_host(h).name for h in hosts] == ["Renamed", "Renamed"]


def test_a_trust_edit_reaches_the_host_map_once_it_commits(world, django_capture_on_commit_callbacks):
    assert school_for_host(host(world.school_a)).trust.name == "Xavier Trust"
    with django_capture_on_commit_callbacks(execute=True):
        Trust.objects.filter(pk=world.trust_x.pk).update(name="Xavier Trust (renamed)")
        forget_schools(list(world.trust_x.schools.all()))
        assert school_for_host(host(world.school_a)).trust.name == "Xavier Trust"
    assert school_for_host(host(world.school_a)).trust.name == "Xavier Trust (renamed)"


class Unwritable:
    """A shared cache that cannot be written."""

    def set_many(self, *args, **kwargs):
        raise ConnectionError("cache server gone")


def test_a_token_that_cannot_be_replaced_at_commit_is_logged_and_the_commit_goes_on(
    world, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(generations, "cache", Unwritable())
    with caplog.at_level(logging.ERROR, logger="tenants.generations"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            forget_schools([world.school_a])
    assert len(callbacks) == 1
    [record] = [r for r in caplog.records if r.name == "tenants.generations"]
    assert record.levelno == logging.ERROR
    assert generations.pages(world.school_a.schema_name) in record.getMessage()
    assert "cache server gone" in caplog.text
