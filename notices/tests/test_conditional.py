"""Conditional and range requests on every public URL, answered alike by each page-cache layer (RFC 9110)."""

import random

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host
from notices import cache as page_cache
from notices.demo import load_notice
from notices.models import Notice
from notices.publishing import publish_notice
from notices.tests.factories import notice_data
from tenants import generations
from tenants.models import Membership, School, Trust, User
from tenants.provisioning import create_school

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_cache")]

SLUG = "pupils-and-parents"
PDFS = [f"/privacy/{SLUG}.pdf", f"/privacy/{SLUG}/versions/1.pdf"]
PAGES = [
    "/",
    f"/privacy/{SLUG}/",
    f"/privacy/{SLUG}/versions/",
    f"/privacy/{SLUG}/versions/1/",
    f"/privacy/{SLUG}/changes/1...2/",
    f"/privacy/{SLUG}.json",
]
LAYERS = ["view", "shared", "memo"]
PAST = "Mon, 01 Jan 1990 00:00:00 GMT"
PAST_RFC850 = "Monday, 01-Jan-90 00:00:00 GMT"
FUTURE = "Sat, 01 Jan 2100 00:00:00 GMT"
FUTURE_ASCTIME = "Sat Jan  1 00:00:00 2100"
NOT_DATES = ["yesterday", "Mon, 99 Foo 2024 25:61:61 GMT", "", "0", "Mon, 01 Jan 99999 00:00:00 GMT"]


@pytest.fixture(scope="module")
def school(django_db_setup, django_db_blocker):
    """A trust and school of their own (committed for the session) whose notice has two versions, so every URL exists.

    Their own, so that no other test's list of schools or trusts ever includes them.
    """
    with django_db_blocker.unblock():
        trust = Trust.objects.create(
            slug="trust-edge",
            name="Edge Trust",
            address="1 Edge Road",
            ico_registration="ZZ900411",
            dpo_name="Edge DPO",
            dpo_email="dpo@trust-edge.example.org",
            complaints_contact="Email complaints@trust-edge.example.org.",
            min_notice_days=0,  # published change after change; the notice period has its own tests
        )
        publisher = User.objects.create_user("publisher-edge@example.org", PASSWORD, name="publisher-edge")
        Membership.objects.create(user=publisher, role="publisher", trust=trust)
        school = create_school(trust=trust, name="Edge School", slug="edge-conditional", urn="990411")
        with tenant_context(school):
            notice = load_notice(notice_data("MarkerEdge"), user=publisher)
            publish_notice(notice, user=publisher, summary="First version.")
            Notice.objects.filter(pk=notice.pk).update(summary="Rewritten for the conditional-request tests.")
            publish_notice(Notice.objects.get(pk=notice.pk), user=publisher, summary="Second version.")
        connection.set_schema_to_public()
    return school


class Unreachable:
    """Stands in for the shared cache where a memory hit must not look."""

    def __getattr__(self, name):
        raise AssertionError(f"the shared cache was used ({name})")


def fetcher(client, school, monkeypatch):
    """fetch(path, layer, **headers): the response from the view, the shared cache or this process's memory.

    Each layer is made to be the one that answers: "view" starts from empty
    caches; "shared" warms the page and forgets the memory; "memo" warms it and
    makes the shared cache unreachable. The database is asked only by the view.
    """

    def fetch(path, layer, *, method="get", **headers):
        if layer == "view":
            cache.clear()
            generations.forget_local()
            page_cache.memo.clear()
        else:
            assert client.get(path, HTTP_HOST=host(school)).status_code == 200
            if layer == "shared":
                page_cache.memo.clear()
        with CaptureQueriesContext(connection) as queries, monkeypatch.context() as patch:
            if layer == "memo":
                patch.setattr("notices.cache.cache", Unreachable())
                patch.setattr("tenants.middleware.cache", Unreachable())
            response = getattr(client, method)(path, HTTP_HOST=host(school), **headers)
        assert bool(queries) == (layer == "view"), f"{layer} layer asked the database {len(queries)} times"
        return response

    return fetch


@pytest.fixture
def fetch(client, school, monkeypatch):
    return fetcher(client, school, monkeypatch)


@pytest.fixture
def plain(fetch):
    """The full 200 for a path, whose validators the conditional requests then use."""

    def plain(path):
        response = fetch(path, "view")
        assert response.status_code == 200
        return response

    return plain


def urls(*paths):
    return pytest.mark.parametrize("path", paths)


layers = pytest.mark.parametrize("layer", LAYERS)


def assert_not_modified(response, full):
    assert response.status_code == 304
    assert response.content == b""
    for name in ("ETag", "Last-Modified", "Cache-Control"):
        assert response.get(name) == full.get(name)


def assert_whole(response, full):
    assert response.status_code == 200
    assert response.content == full.content
    assert response["ETag"] == full["ETag"]


@urls(*PAGES, *PDFS)
@layers
def test_a_validator_the_client_already_has_answers_304_with_the_validators(fetch, plain, path, layer):
    full = plain(path)
    etag, modified = full["ETag"], full["Last-Modified"]
    for headers in (
        {"HTTP_IF_NONE_MATCH": etag},
        {"HTTP_IF_NONE_MATCH": f'"other", {etag}'},
        {"HTTP_IF_NONE_MATCH": f"W/{etag}"},  # If-None-Match compares weakly
        {"HTTP_IF_NONE_MATCH": "*"},
        {"HTTP_IF_MODIFIED_SINCE": modified},
        {"HTTP_IF_MODIFIED_SINCE": FUTURE},
        {"HTTP_IF_MODIFIED_SINCE": FUTURE_ASCTIME},
        {"HTTP_IF_NONE_MATCH": etag, "HTTP_IF_MODIFIED_SINCE": PAST},  # If-None-Match wins
        {"HTTP_IF_MODIFIED_SINCE": modified, "HTTP_IF_UNMODIFIED_SINCE": FUTURE},
    ):
        assert_not_modified(fetch(path, layer, **headers), full)
    assert_not_modified(fetch(path, layer, method="head", HTTP_IF_MODIFIED_SINCE=modified), full)


@urls(*PAGES, *PDFS)
@layers
def test_a_stale_validator_or_a_precondition_that_holds_answers_the_whole_body(fetch, plain, path, layer):
    full = plain(path)
    etag, modified = full["ETag"], full["Last-Modified"]
    for headers in (
        {"HTTP_IF_NONE_MATCH": '"other"'},
        {"HTTP_IF_MODIFIED_SINCE": PAST},
        {"HTTP_IF_MODIFIED_SINCE": PAST_RFC850},
        {"HTTP_IF_NONE_MATCH": '"other"', "HTTP_IF_MODIFIED_SINCE": FUTURE},  # If-Modified-Since is then ignored
        {"HTTP_IF_UNMODIFIED_SINCE": modified},
        {"HTTP_IF_UNMODIFIED_SINCE": FUTURE},
        {"HTTP_IF_MATCH": etag},
        {"HTTP_IF_MATCH": f'"other", {etag}'},
        {"HTTP_IF_MATCH": "*"},
        {"HTTP_IF_MATCH": etag, "HTTP_IF_UNMODIFIED_SINCE": PAST},  # If-Match wins
    ):
        assert_whole(fetch(path, layer, **headers), full)


@urls(*PAGES, *PDFS)
@layers
def test_a_precondition_that_fails_answers_412(fetch, plain, path, layer):
    full = plain(path)
    for headers in (
        {"HTTP_IF_MATCH": '"other"'},
        {"HTTP_IF_MATCH": f"W/{full['ETag']}"},  # If-Match compares strongly
        {"HTTP_IF_UNMODIFIED_SINCE": PAST},
        {"HTTP_IF_UNMODIFIED_SINCE": PAST_RFC850},
        {"HTTP_IF_MATCH": '"other"', "HTTP_IF_UNMODIFIED_SINCE": FUTURE},
        {"HTTP_IF_UNMODIFIED_SINCE": PAST, "HTTP_IF_NONE_MATCH": full["ETag"]},  # checked before If-None-Match
    ):
        response = fetch(path, layer, **headers)
        assert response.status_code == 412, headers
        assert response.content == b""


@urls(*PAGES, *PDFS)
@layers
def test_malformed_dates_and_tags_are_ignored(fetch, plain, path, layer):
    full = plain(path)
    for value in NOT_DATES:
        for name in ("HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE"):
            assert_whole(fetch(path, layer, **{name: value}), full)
    for value in ("garbage", 'W/"unterminated', ",,,"):
        for name in ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH"):
            assert_whole(fetch(path, layer, **{name: value}), full)


@urls(*PAGES)
@layers
def test_a_range_on_a_page_or_the_json_answers_the_whole_body(fetch, plain, path, layer):
    full = plain(path)
    assert "Accept-Ranges" not in full
    for value in ("bytes=0-9", "bytes=-5", "bytes=1000000-"):
        assert_whole(fetch(path, layer, HTTP_RANGE=value), full)


@urls(*PDFS)
@layers
def test_a_single_byte_range_of_a_pdf_answers_206_with_those_bytes(fetch, plain, path, layer):
    full = plain(path)
    assert full["Accept-Ranges"] == "bytes"
    size = len(full.content)
    for headers, start, stop in (
        ({"HTTP_RANGE": "bytes=0-9"}, 0, 10),
        ({"HTTP_RANGE": "bytes=10-"}, 10, size),
        ({"HTTP_RANGE": "bytes=-5"}, size - 5, size),
        ({"HTTP_RANGE": f"bytes=-{size * 2}"}, 0, size),
        ({"HTTP_RANGE": f"bytes=5-{size * 2}"}, 5, size),
        ({"HTTP_RANGE": f"bytes={size - 1}-{size - 1}"}, size - 1, size),
        ({"HTTP_RANGE": " BYTES=0-0 "}, 0, 1),
        ({"HTTP_RANGE": "bytes=0-9", "HTTP_IF_RANGE": full["ETag"]}, 0, 10),
        ({"HTTP_RANGE": "bytes=0-9", "HTTP_IF_RANGE": full["Last-Modified"]}, 0, 10),
    ):
        response = fetch(path, layer, **headers)
        assert response.status_code == 206, headers
        assert response.content == full.content[start:stop]
        assert response["Content-Range"] == f"bytes {start}-{stop - 1}/{size}"
        assert response["Content-Length"] == str(stop - start)
        assert response["Content-Type"] == "application/pdf"
        assert response["ETag"] == full["ETag"]


@urls(*PDFS)
@layers
def test_a_range_past_the_end_of_a_pdf_answers_416_with_its_size(fetch, plain, path, layer):
    full = plain(path)
    size = len(full.content)
    for value in (f"bytes={size}-", f"bytes={size * 2}-{size * 3}", "bytes=-0"):
        response = fetch(path, layer, HTTP_RANGE=value)
        assert response.status_code == 416, value
        assert response["Content-Range"] == f"bytes */{size}"


@urls(*PDFS)
@layers
def test_a_range_it_does_not_honour_answers_the_whole_pdf(fetch, plain, path, layer):
    full = plain(path)
    stale = http_date(0)
    for headers in (
        {"HTTP_RANGE": "bytes=0-1,5-6"},
        {"HTTP_RANGE": "bytes=5-2"},
        {"HTTP_RANGE": "bytes=-"},
        {"HTTP_RANGE": "bytes=abc-"},
        {"HTTP_RANGE": "items=0-9"},
        {"HTTP_RANGE": f"bytes=0-{'9' * 40}"},
        {"HTTP_RANGE": "bytes=0-9", "HTTP_IF_RANGE": '"other"'},
        {"HTTP_RANGE": "bytes=0-9", "HTTP_IF_RANGE": f"W/{full['ETag']}"},
        {"HTTP_RANGE": "bytes=0-9", "HTTP_IF_RANGE": stale},
        {"HTTP_RANGE": "bytes=0-9", "HTTP_IF_RANGE": "not a validator"},
    ):
        assert_whole(fetch(path, layer, **headers), full)
    head = fetch(path, layer, method="head", HTTP_RANGE="bytes=0-9")
    assert head.status_code == 200
    assert "Content-Range" not in head


HEADER_VALUES = {
    "HTTP_IF_NONE_MATCH": ["{etag}", '"other"', "*", "W/{etag}", "garbage", ""],
    "HTTP_IF_MATCH": ["{etag}", '"other"', "*", "garbage"],
    "HTTP_IF_MODIFIED_SINCE": ["{modified}", PAST, FUTURE, PAST_RFC850, *NOT_DATES],
    "HTTP_IF_UNMODIFIED_SINCE": ["{modified}", PAST, FUTURE_ASCTIME, *NOT_DATES],
    "HTTP_RANGE": ["bytes=0-9", "bytes=-5", "bytes=9-", "bytes=0-1,3-4", "bytes=99999999-", "bytes=5-2", "bytes=x", ""],
    "HTTP_IF_RANGE": ["{etag}", "{modified}", '"other"', PAST, "garbage"],
}


def test_random_combinations_of_conditional_and_range_headers_never_answer_5xx(fetch, plain):
    validators = {}
    for path in PAGES + PDFS:
        full = plain(path)
        validators[path] = {"etag": full["ETag"], "modified": full["Last-Modified"]}
    chooser = random.Random(20260412)
    for _ in range(150):
        path = chooser.choice(PAGES + PDFS)
        names = chooser.sample(sorted(HEADER_VALUES), chooser.randint(1, 4))
        headers = {name: chooser.choice(HEADER_VALUES[name]).format(**validators[path]) for name in names}
        response = fetch(path, chooser.choice(LAYERS), method=chooser.choice(["get", "head"]), **headers)
        assert response.status_code in {200, 206, 304, 412, 416}, (path, headers, response.status_code)


@layers
def test_the_home_of_a_school_with_nothing_published_has_no_date_to_compare(client, school, layer, monkeypatch):
    # Schools are committed (made on the owner's connection): reuse it across the parametrized runs.
    empty = School.objects.filter(slug="edge-empty").first() or create_school(
        trust=school.trust, name="Empty School", slug="edge-empty", urn="990412"
    )
    connection.set_schema_to_public()
    fetch_empty = fetcher(client, empty, monkeypatch)
    full = fetch_empty("/", "view")
    assert full.status_code == 200
    assert "Last-Modified" not in full
    for value in (PAST, FUTURE, "garbage"):
        assert_whole(fetch_empty("/", layer, HTTP_IF_UNMODIFIED_SINCE=value), full)
        assert_whole(fetch_empty("/", layer, HTTP_IF_MODIFIED_SINCE=value), full)
    assert_not_modified(fetch_empty("/", layer, HTTP_IF_NONE_MATCH=full["ETag"]), full)
