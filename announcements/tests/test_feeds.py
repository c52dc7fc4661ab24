"""Atom feeds: one per notice on its school's host, one per trust on the portal; published versions only.

A parent's feed reader (anonymous) subscribes to the notice of school A; a
trust's website reads the trust's feed. Each feed is parsed with feedparser
and checked against the elements RFC 4287 requires, with lxml.
"""

import datetime

import feedparser
import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone
from django_tenants.utils import tenant_context
from lxml import etree

from announcements import feeds
from conftest import change_draft, host
from notices.demo import load_notice
from notices.models import Notice
from notices.publishing import publish_notice
from notices.tests.factories import notice_data
from notices.withdrawal import redact_version, withdraw_version
from tenants.models import Trust

pytestmark = pytest.mark.django_db
SLUG = "pupils-and-parents"
FEED = f"/privacy/{SLUG}/feed.atom"
ATOM = "{http://www.w3.org/2005/Atom}"


def notice_feed(client, school, **headers):
    return client.get(FEED, HTTP_HOST=host(school), **headers)


def trust_feed(client, trust, **headers):
    return client.get(f"/trust/{trust.slug}/feed.atom", HTTP_HOST="localhost", **headers)


def parsed(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert feed.version == "atom10"
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


def publish(world, school, summary, **options):
    """Publish a real change to `school`'s notice; pages are retired as at commit."""
    with tenant_context(school):
        notice = Notice.objects.get(slug=SLUG)
        change_draft(notice, summary)
        version = publish_notice(notice, user=world.publisher_x, summary=summary, **options)
    connection.set_schema_to_public()
    return version


@pytest.fixture
def published(world, django_capture_on_commit_callbacks):
    """publish(), with the after-commit work (retiring cached pages) run."""

    def go(school, summary, **options):
        with django_capture_on_commit_callbacks(execute=True):
            return publish(world, school, summary, **options)

    return go


def test_notice_feed_lists_its_version_with_dates_summary_and_material_flag(world, client):
    feed = parsed(notice_feed(client, world.school_a))
    assert feed.feed.title == "Privacy notice for pupils and parents: School A"
    assert feed.feed.link == f"http://school-a.localhost:8000/privacy/{SLUG}/"
    [entry] = feed.entries
    assert entry.title == "Version 1: First version for school a."
    assert entry.link == f"http://school-a.localhost:8000/privacy/{SLUG}/versions/1/"
    assert entry.updated_parsed is not None
    assert entry.published_parsed is not None
    assert "First version for school a." in entry.summary
    assert "Material change" in entry.summary
    assert "Published on" in entry.summary
    assert "In force from" in entry.summary
    assert "upcoming" not in entry.summary
    assert [tag.term for tag in entry.tags] == ["material change"]
    assert entry.author == "Xavier Trust"


def _assert_required_atom_elements(body):
    root = etree.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{name}").text, name
    entries = root.findall(f"{ATOM}entry")
    has_feed_author = root.find(f"{ATOM}author/{ATOM}name") is not None
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{name}").text, name
        assert entry.find(f"{ATOM}id").text.startswith("tag:")
        assert has_feed_author or entry.find(f"{ATOM}author/{ATOM}name") is not None
    # Each entry once, with its own id.
    assert len({e.find(f"{ATOM}id").text for e in entries}) == len(entries)
    return entries


def test_both_feeds_have_the_elements_atom_requires(world, client, published):
    published(world.school_a, "Second for school a.")
    assert len(_assert_required_atom_elements(notice_feed(client, world.school_a).content)) == 2
    assert len(_assert_required_atom_elements(trust_feed(client, world.trust_x).content)) == 3


def test_a_new_version_comes_first_and_a_wording_fix_says_so(world, client, published):
    published(world.school_a, "Fixed a typo in the retention section.\nNothing else changed.", material=False)
    feed = parsed(notice_feed(client, world.school_a))
    assert [e.title for e in feed.entries] == [
        "Version 2: Fixed a typo in the retention section.",
        "Version 1: First version for school a.",
    ]
    newest = feed.entries[0]
    assert "Wording fix" in newest.summary
    assert "Nothing else changed." in newest.summary
    assert [tag.term for tag in newest.tags] == ["wording fix"]


def test_an_entry_keeps_its_id_when_later_versions_arrive(world, client, published):
    first_id = parsed(notice_feed(client, world.school_a)).entries[0].id
    published(world.school_a, "Second for school a.")
    feed = parsed(notice_feed(client, world.school_a))
    assert feed.entries[1].id == first_id
    assert feed.entries[0].id != first_id


def test_a_withdrawn_version_is_left_out(world, client, django_capture_on_commit_callbacks):
    version = publish(world, world.school_a, "Published to the wrong school.")
    with tenant_context(world.school_a), django_capture_on_commit_callbacks(execute=True):
        withdraw_version(version, by=world.platform_admin, reason="Wrong school.")
    connection.set_schema_to_public()
    feed = parsed(notice_feed(client, world.school_a))
    assert [e.title for e in feed.entries] == ["Version 1: First version for school a."]
    # The feed changed when the entry went: readers that ask "modified since?" hear so.
    assert feed.feed.updated_parsed >= version.published_at.utctimetuple()
    assert "Published to the wrong school." not in trust_feed(client, world.trust_x).content.decode()


def test_a_redacted_version_is_left_out(world, client, django_capture_on_commit_callbacks):
    leaked = publish(world, world.school_a, "Pupil Jane Doe's details.")
    with tenant_context(world.school_a), django_capture_on_commit_callbacks(execute=True):
        redact_version(leaked, by=world.platform_admin, reason="A pupil's details were pasted in.")
    connection.set_schema_to_public()
    for response in (notice_feed(client, world.school_a), trust_feed(client, world.trust_x)):
        body = response.content.decode()
        assert "Jane Doe" not in body
        assert "Removed" not in body
        assert "version-2" not in body


def test_summary_markup_is_shown_as_text_never_as_html(world, client, published):
    published(world.school_a, "Added <script>alert(1)</script> & <b>bold</b> claims.")
    entry = parsed(notice_feed(client, world.school_a)).entries[0]
    assert "<script>" not in entry.summary
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in entry.summary


def test_an_urgent_change_says_why_it_comes_at_short_notice(world, client, published):
    Trust.objects.filter(pk=world.trust_x.pk).update(min_notice_days=14)
    published(world.school_a, "Adds the new safeguarding duty.", urgent_reason="The statutory guidance applies now.")
    entry = parsed(notice_feed(client, world.school_a)).entries[0]
    assert "Why at short notice:</strong> The statutory guidance applies now." in entry.summary


def test_an_upcoming_version_is_marked_until_it_takes_effect_with_the_cache_warm(world, client, published):
    in_force_from = timezone.now() + datetime.timedelta(days=30)
    published(world.school_a, "Adds the new catering system.", effective_at=in_force_from)
    before = parsed(notice_feed(client, world.school_a))
    assert "upcoming" in before.entries[0].summary
    assert "upcoming" not in before.entries[1].summary
    # Warm: the same entry again, from the page cache.
    assert notice_feed(client, world.school_a).content == notice_feed(client, world.school_a).content
    with time_machine.travel(in_force_from + datetime.timedelta(seconds=1)):
        after = parsed(notice_feed(client, world.school_a))
        trust_after = parsed(trust_feed(client, world.trust_x))
    assert "upcoming" not in after.entries[0].summary
    assert after.feed.updated_parsed >= in_force_from.utctimetuple()
    assert "upcoming" not in trust_after.entries[0].summary


def test_school_a_feed_never_shows_school_b_entries(world, client, published):
    published(world.school_b, "Only school B changed this.")
    body = notice_feed(client, world.school_a).content.decode()
    feed = parsed(notice_feed(client, world.school_a))
    assert "Only school B" not in body
    assert "school-b" not in body
    assert all(e.link.startswith("http://school-a.localhost:8000/") for e in feed.entries)
    school_b = parsed(notice_feed(client, world.school_b))
    assert school_b.entries[0].title == "Version 2: Only school B changed this."


def test_trust_feed_covers_each_of_its_schools_and_never_another_trusts(world, client, published):
    published(world.school_b, "School B's second version.")
    feed = parsed(trust_feed(client, world.trust_x))
    assert feed.feed.title == "Privacy notices of Xavier Trust's schools"
    titles = [e.title for e in feed.entries]
    assert titles[0] == "School B: Privacy notice for pupils and parents, version 2: School B's second version."
    assert "School A: Privacy notice for pupils and parents, version 1: First version for school a." in titles
    assert len(titles) == 3
    hosts = {e.link.split("/")[2] for e in feed.entries}
    assert hosts == {"school-a.localhost:8000", "school-b.localhost:8000"}
    body = trust_feed(client, world.trust_x).content.decode()
    assert "School C" not in body
    assert "school-c" not in body
    other = parsed(trust_feed(client, world.trust_y))
    assert [e.title for e in other.entries] == [
        "School C: Privacy notice for pupils and parents, version 1: First version for school c."
    ]


def test_an_entry_has_the_same_id_in_the_notice_feed_and_the_trust_feed(world, client):
    notice_entry = parsed(notice_feed(client, world.school_a)).entries[0]
    trust_ids = {e.id for e in parsed(trust_feed(client, world.trust_x)).entries}
    assert notice_entry.id in trust_ids


def test_a_feed_keeps_the_newest_entries_only(world, client, published, monkeypatch):
    monkeypatch.setattr(feeds, "MAX_ENTRIES", 1)
    published(world.school_a, "Second for school a.")
    assert [e.title for e in parsed(notice_feed(client, world.school_a)).entries] == ["Version 2: Second for school a."]
    assert [e.title for e in parsed(trust_feed(client, world.trust_x)).entries] == [
        "School A: Privacy notice for pupils and parents, version 2: Second for school a."
    ]


def test_a_repeat_is_answered_from_the_page_cache_and_revalidates(world, client, django_assert_num_queries):
    first = notice_feed(client, world.school_a)
    with django_assert_num_queries(0):
        again = notice_feed(client, world.school_a)
    assert again.content == first.content
    assert again["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert notice_feed(client, world.school_a, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_publish_reaches_the_notice_feed_at_once(world, client, published):
    parsed(notice_feed(client, world.school_a))
    published(world.school_a, "Second for school a.")
    assert parsed(notice_feed(client, world.school_a)).entries[0].title == "Version 2: Second for school a."


def test_trust_feed_is_kept_a_minute_and_revalidates(world, client, published):
    first = trust_feed(client, world.trust_x)
    assert first["Cache-Control"] == "public, max-age=60"
    assert trust_feed(client, world.trust_x, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    published(world.school_b, "School B's second version.")
    assert trust_feed(client, world.trust_x).content == first.content
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=feeds.TRUST_FEED_SECONDS + 1)):
        later = parsed(trust_feed(client, world.trust_x))
    assert later.entries[0].title.startswith("School B: Privacy notice for pupils and parents, version 2")


def test_trust_feed_is_never_kept_past_a_version_coming_into_force(world, client, published):
    soon = timezone.now() + datetime.timedelta(seconds=10)
    published(world.school_b, "Takes effect in a moment.", effective_at=soon)
    assert "upcoming" in parsed(trust_feed(client, world.trust_x)).entries[0].summary
    with time_machine.travel(soon + datetime.timedelta(seconds=1)):
        assert "upcoming" not in parsed(trust_feed(client, world.trust_x)).entries[0].summary


def test_unknown_notice_and_unknown_trust_are_404(world, client):
    assert client.get("/privacy/no-such-notice/feed.atom", HTTP_HOST=host(world.school_a)).status_code == 404
    assert client.get("/trust/no-such-trust/feed.atom", HTTP_HOST="localhost").status_code == 404
    # A school host does not serve trust feeds, nor the portal host notice feeds.
    assert client.get(f"/trust/{world.trust_x.slug}/feed.atom", HTTP_HOST=host(world.school_a)).status_code == 404
    assert client.get(FEED, HTTP_HOST="localhost").status_code == 404


def test_a_draft_only_notice_answers_as_if_there_were_no_notice(world, client):
    with tenant_context(world.school_a):
        load_notice(notice_data("Draft", slug="draft-only"), user=world.editor_a)
    connection.set_schema_to_public()
    draft = client.get("/privacy/draft-only/feed.atom", HTTP_HOST=host(world.school_a))
    unknown = client.get("/privacy/no-such-notice/feed.atom", HTTP_HOST=host(world.school_a))
    assert draft.status_code == unknown.status_code == 404
    assert draft.content == unknown.content


def test_feed_link_snippet_points_to_the_notice_feed(world):
    html = render_to_string(
        "announcements/feed_link.html",
        {"chrome": {"title": "Privacy notice for pupils and parents", "school_name": "School A"}, "slug": SLUG},
    )
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert f'href="{FEED}"' in html
    assert 'title="Changes to the privacy notice for pupils and parents at School A (Atom feed)"' in html


def test_the_notice_page_announces_its_feed(world, client):
    page = client.get(f"/privacy/{SLUG}/", HTTP_HOST=host(world.school_a)).content.decode()
    head = page[: page.index("</head>")]
    assert 'rel="alternate" type="application/atom+xml"' in head
    assert f'href="{FEED}"' in head
