"""The public pages of a school host: published versions only, cached per school, immutable when versioned."""

import hashlib
import json

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from conftest import change_draft, host
from notices.document import NoticeDocument
from notices.export import export_document
from notices.models import Notice, NoticeVersion, Section, System
from notices.publishing import publish_notice

pytestmark = pytest.mark.django_db
SLUG = "pupils-and-parents"
PUBLIC_URLS = [
    "/",
    f"/privacy/{SLUG}/",
    f"/privacy/{SLUG}.pdf",
    f"/privacy/{SLUG}.json",
    f"/privacy/{SLUG}/versions/",
    f"/privacy/{SLUG}/versions/1/",
    f"/privacy/{SLUG}/versions/1.pdf",
]


def get(client, school, path, **headers):
    return client.get(path, HTTP_HOST=host(school), **headers)


@pytest.fixture
def second_version(world, django_capture_on_commit_callbacks):
    """School A's notice gains a system, loses nothing, rewords a section, and is published as version 2."""
    with tenant_context(world.school_a):
        notice = Notice.objects.get(slug=SLUG)
        System.objects.create(notice=notice, name="Library Catalogue", used_for="lending books", order=9)
        section = Section.objects.get(notice=notice, kind="collecting")
        section.body = section.body.replace("optional", "voluntary")
        section.save()
        with django_capture_on_commit_callbacks(execute=True):
            version = publish_notice(notice, user=world.publisher_x, summary="Added the library catalogue.")
    connection.set_schema_to_public()
    return version


def test_current_page_shows_summary_contents_notice_and_version_details(world, client):
    response = get(client, world.school_a, f"/privacy/{SLUG}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert html.index('id="summary"') < html.index('id="contents-heading"') < html.index('id="who-we-are"')
    assert "Version 1, published" in html
    assert "What changed in this version:</strong> First version for school a." in html
    assert f'href="/privacy/{SLUG}/versions/1.pdf"' in html
    assert f'href="/privacy/{SLUG}/versions/"' in html
    assert "MarkerA Records System" in html
    assert 'lang="en-GB"' in html


def test_current_page_links_to_the_diff_against_the_previous_version(world, client, second_version):
    html = get(client, world.school_a, f"/privacy/{SLUG}/").content.decode()
    assert "Version 2, published" in html
    assert f'href="/privacy/{SLUG}/changes/1...2/"' in html
    assert "Library Catalogue" in html


def test_pdf_downloads_with_a_versioned_file_name_and_the_stored_bytes(world, client):
    response = get(client, world.school_a, f"/privacy/{SLUG}.pdf")
    body = response.content
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="school-a-pupils-and-parents-v1.pdf"' == response["Content-Disposition"]
    with tenant_context(world.school_a):
        version = NoticeVersion.objects.get(notice__slug=SLUG, number=1)
    assert hashlib.sha256(body).hexdigest() == version.pdf_sha256
    assert body.startswith(b"%PDF")


def test_every_download_link_gives_that_exact_version(world, client, second_version):
    first = get(client, world.school_a, f"/privacy/{SLUG}/versions/1.pdf").content
    second = get(client, world.school_a, f"/privacy/{SLUG}/versions/2.pdf").content
    current = get(client, world.school_a, f"/privacy/{SLUG}.pdf").content
    with tenant_context(world.school_a):
        hashes = dict(NoticeVersion.objects.filter(notice__slug=SLUG).values_list("number", "pdf_sha256"))
    assert hashlib.sha256(first).hexdigest() == hashes[1]
    assert hashlib.sha256(second).hexdigest() == hashes[2]
    assert current == second


def test_archive_lists_every_version_newest_first_and_marks_wording_fixes(world, client, second_version):
    with tenant_context(world.school_a):
        notice = Notice.objects.get(slug=SLUG)
        notice.summary += " Thank you."
        notice.save()
        publish_notice(notice, user=world.publisher_x, summary="Wording fix in the summary.", material=False)
    connection.set_schema_to_public()
    html = get(client, world.school_a, f"/privacy/{SLUG}/versions/").content.decode()
    assert html.index("Version 3") < html.index("Version 2") < html.index("Version 1")
    assert html.count("wording fix</span>") == 1
    assert html.count("material change</span>") == 2
    for n in (1, 2, 3):
        assert f'href="/privacy/{SLUG}/versions/{n}/"' in html
        assert f'href="/privacy/{SLUG}/versions/{n}.pdf"' in html
    assert f'href="/privacy/{SLUG}/changes/2...3/"' in html


def test_a_version_page_is_exactly_as_published_even_after_later_edits(world, client, second_version):
    with tenant_context(world.school_a):
        stored = NoticeVersion.objects.get(notice__slug=SLUG, number=1).html
    html = get(client, world.school_a, f"/privacy/{SLUG}/versions/1/").content.decode()
    assert stored in html
    assert "Library Catalogue" not in html
    assert "This is version 1, kept for the record." in html


def test_changes_page_shows_added_items_and_word_level_text_changes(world, client, second_version):
    response = get(client, world.school_a, f"/privacy/{SLUG}/changes/1...2/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<ins>Library Catalogue</ins>" in html
    assert "<del>optional.</del>" in html
    assert "<ins>voluntary.</ins>" in html
    assert "other items unchanged" in html or "other item unchanged" in html


@pytest.mark.parametrize(
    "path",
    [
        f"/privacy/{SLUG}/changes/1...1/",
        f"/privacy/{SLUG}/changes/1...99/",
        f"/privacy/{SLUG}/changes/0...1/",
        f"/privacy/{SLUG}/changes/a...b/",
        f"/privacy/{SLUG}/changes/1...99999999999999999999/",
        f"/privacy/{SLUG}/versions/0/",
        f"/privacy/{SLUG}/versions/7/",
        f"/privacy/{SLUG}/versions/7.pdf",
        f"/privacy/{SLUG}/versions/-1/",
        "/privacy/no-such-notice/",
        "/privacy/no-such-notice.pdf",
        "/privacy/no-such-notice.json",
    ],
)
def test_bad_or_unknown_versions_are_a_404_never_a_500(world, client, path):
    response = get(client, world.school_a, path)
    assert response.status_code == 404


def test_unpublished_notice_is_a_404_like_any_unknown_address_and_never_shows_the_draft(world, client):
    with tenant_context(world.school_a):
        Notice.objects.create(
            title="DRAFT-ONLY workforce notice",
            slug="workforce",
            audience="workforce",
            summary="DRAFT-ONLY text",
            contact_name="HR",
            contact_email="hr@example.org",
            review_by="2027-01-01",
        )
    connection.set_schema_to_public()
    for path in (
        "/privacy/workforce/",
        "/privacy/workforce.pdf",
        "/privacy/workforce.json",
        "/privacy/workforce/versions/",
    ):
        response = get(client, world.school_a, path)
        assert response.status_code == 404
        html = response.content.decode()
        assert "DRAFT-ONLY" not in html
        # Nothing tells a guessed draft slug from an address with no notice at all.
        unknown = get(client, world.school_a, path.replace("workforce", "no-such-notice"))
        assert unknown.status_code == 404
        assert unknown.content == response.content


def test_json_export_is_the_current_frozen_document(world, client):
    response = get(client, world.school_a, f"/privacy/{SLUG}.json")
    payload = json.loads(response.content)
    with tenant_context(world.school_a):
        version = NoticeVersion.objects.get(notice__slug=SLUG, number=1)
    assert response["Content-Type"] == "application/json"
    assert payload["version"] == 1
    assert payload["school"] == "school-a"
    assert payload["export_version"] == 1
    assert payload["document"] == export_document(NoticeDocument.from_dict(version.document))
    assert payload["document"]["title"] == version.document["title"]
    assert "schema" not in payload["document"]
    assert payload["pdf_sha256"] == version.pdf_sha256
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", [f"/privacy/{SLUG}/versions/1/", f"/privacy/{SLUG}/versions/1.pdf"])
def test_versioned_urls_are_cached_as_immutable(world, client, path):
    response = get(client, world.school_a, path)
    assert "immutable" in response["Cache-Control"]
    assert "max-age=31536000" in response["Cache-Control"]
    assert response["ETag"]


@pytest.mark.parametrize("path", [f"/privacy/{SLUG}/", f"/privacy/{SLUG}.pdf", f"/privacy/{SLUG}.json", "/"])
def test_current_urls_revalidate_and_answer_conditional_gets_with_304(world, client, path):
    response = get(client, world.school_a, path)
    assert "must-revalidate" in response["Cache-Control"]
    assert response["Last-Modified"]
    again = get(client, world.school_a, path, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_publishing_replaces_the_cached_current_page(world, client, django_capture_on_commit_callbacks):
    etag_v1 = get(client, world.school_a, f"/privacy/{SLUG}/")["ETag"]
    with tenant_context(world.school_a):
        notice = Notice.objects.get(slug=SLUG)
        notice.summary = "A new summary."
        notice.save()
    connection.set_schema_to_public()
    # A draft edit alone changes nothing for parents.
    assert get(client, world.school_a, f"/privacy/{SLUG}/")["ETag"] == etag_v1
    with tenant_context(world.school_a), django_capture_on_commit_callbacks(execute=True):
        publish_notice(notice, user=world.publisher_x, summary="New summary.")
    connection.set_schema_to_public()
    response = get(client, world.school_a, f"/privacy/{SLUG}/", HTTP_IF_NONE_MATCH=etag_v1)
    assert response.status_code == 200
    assert "A new summary." in response.content.decode()


def test_cached_pages_of_one_school_never_answer_for_another(world, client):
    # Both schools use the same notice slug, so only the school in the cache key keeps them apart.
    page_a = get(client, world.school_a, f"/privacy/{SLUG}/").content.decode()
    page_b = get(client, world.school_b, f"/privacy/{SLUG}/").content.decode()
    assert "MarkerA" in page_a
    assert "MarkerB" in page_b
    assert "MarkerA" not in page_b


@pytest.mark.parametrize("path", PUBLIC_URLS)
def test_no_public_page_of_school_b_shows_school_a_data(world, client, path):
    get(client, world.school_a, path)  # warm A's cache entries first
    response = get(client, world.school_b, path)
    body = response.content if not response.streaming else response.content
    assert response.status_code == 200
    assert b"MarkerA" not in body
    assert b"School A" not in body


def test_a_cached_current_page_needs_no_database_query(world, client, django_assert_num_queries):
    get(client, world.school_a, f"/privacy/{SLUG}/")
    with django_assert_num_queries(0):
        assert get(client, world.school_a, f"/privacy/{SLUG}/").status_code == 200


def test_archive_page_query_count_does_not_grow_with_versions(world, client, second_version, django_assert_num_queries):
    from django.core.cache import cache

    from tenants import generations

    # Cold caches: the host lookup, schema switches, the versions with their notice, their
    # withdrawals, and the school's next effective time (how long the page may be kept); none per version.
    with django_assert_num_queries(6) as first:
        get(client, world.school_a, f"/privacy/{SLUG}/versions/")
    with tenant_context(world.school_a):
        change_draft(Notice.objects.get(slug=SLUG))
        publish_notice(Notice.objects.get(slug=SLUG), user=world.publisher_x, summary="Third.", material=False)
    connection.set_schema_to_public()
    cache.clear()  # cold again, as in a new process
    generations.forget_local()
    with django_assert_num_queries(len(first.captured_queries)):
        assert "Version 3" in get(client, world.school_a, f"/privacy/{SLUG}/versions/").content.decode()


def test_public_pages_only_accept_get_and_head(world, client):
    response = client.post(f"/privacy/{SLUG}/", HTTP_HOST=host(world.school_a))
    assert response.status_code == 405
