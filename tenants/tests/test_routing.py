"""Hosts decide the schema: the portal host is public, <slug>.localhost is a school, anything else is refused."""

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from conftest import host
from notices.models import System

pytestmark = pytest.mark.django_db


def test_portal_host_lists_every_trust_and_links_each_school_to_its_own_host(world, client):
    response = client.get("/", HTTP_HOST="localhost:8000")
    assert response.status_code == 200
    html = response.content.decode()
    for trust in (world.trust_x, world.trust_y):
        assert trust.name in html
    for school in (world.school_a, world.school_b, world.school_c):
        assert f'href="http://{school.slug}.localhost:8000/">{school.name}</a>' in html


def test_directory_query_count_does_not_grow_with_schools(world, client, django_assert_num_queries):
    from tenants.provisioning import create_school

    # search_path, trusts, schools, domains: one query per kind, however many schools.
    with django_assert_num_queries(4):
        client.get("/", HTTP_HOST="localhost")
    create_school(trust=world.trust_x, name="Fourth School", slug="fourth-school", urn="990044")
    with django_assert_num_queries(4):
        assert "Fourth School" in client.get("/", HTTP_HOST="localhost").content.decode()


def test_school_host_shows_the_school_its_trust_and_its_notices(world, client):
    response = client.get("/", HTTP_HOST=host(world.school_a))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>School A</h1>" in html
    assert "Xavier Trust" in html
    assert 'href="/privacy/pupils-and-parents/"' in html
    assert "School B" not in html


def test_school_without_a_published_notice_says_so(world, client):
    with tenant_context(world.school_c):
        from notices.models import NoticeVersion

        assert NoticeVersion.objects.exists()
    # A fresh school: make one without content inside this test's transaction.
    from tenants.provisioning import create_school

    school = create_school(trust=world.trust_y, name="Empty School", slug="empty-school", urn="990099")
    response = client.get("/", HTTP_HOST=host(school))
    assert response.status_code == 200
    assert "No notice published yet" in response.content.decode()


@pytest.mark.parametrize(
    "hostname", ["nowhere.localhost", "school-a.localhost.evil.localhost", "public.localhost", "a" * 300 + ".localhost"]
)
def test_unknown_host_is_a_404_page(world, client, hostname):
    response = client.get("/", HTTP_HOST=hostname)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "School A" not in html
    assert "Xavier" not in html


@pytest.mark.parametrize(
    "hostname", ["evil.example.com", "localhost.evil.com", "bad host", "school-a.localhost@evil.com"]
)
def test_host_outside_allowed_hosts_is_a_400(world, client, hostname):
    response = client.get("/", HTTP_HOST=hostname)
    assert response.status_code == 400
    assert "School A" not in response.content.decode()


@pytest.mark.parametrize("hostname", ["localhost", "school-a.localhost"])
def test_unknown_path_is_a_404_page_on_every_host(world, client, hostname):
    response = client.get("/no/such/page/", HTTP_HOST=hostname)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_row_in_school_a_is_invisible_from_school_b(world, client):
    with tenant_context(world.school_a):
        assert System.objects.filter(name="MarkerA Records System").exists()
    with tenant_context(world.school_b):
        assert not System.objects.filter(name="MarkerA Records System").exists()
    connection.set_schema_to_public()
    page_b = client.get("/privacy/pupils-and-parents/", HTTP_HOST=host(world.school_b)).content.decode()
    assert "MarkerB Records System" in page_b
    assert "MarkerA" not in page_b


def test_host_lookup_is_cached_and_forgotten_when_domains_change(
    world, client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from tenants.models import Domain
    from tenants.provisioning import forget_hosts

    client.get("/", HTTP_HOST=host(world.school_a))
    with django_assert_num_queries(0):
        # Served from the page cache with the host resolved from the host cache.
        client.get("/", HTTP_HOST=host(world.school_a))
    Domain.objects.filter(domain=host(world.school_a)).update(domain="renamed.localhost")
    with django_capture_on_commit_callbacks(execute=True):
        forget_hosts([host(world.school_a), "renamed.localhost"])
    assert client.get("/", HTTP_HOST=host(world.school_a)).status_code == 404
    assert client.get("/", HTTP_HOST="renamed.localhost").status_code == 200
