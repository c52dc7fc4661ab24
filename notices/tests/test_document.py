"""The notice document: composing it from a school's records, its JSON form, and its HTML rendering."""

import dataclasses
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from notices import document as doc
from notices.compose import compose_notice
from notices.document import NoticeDocument
from notices.models import Notice
from notices.registers import REGISTERS
from notices.rendering import render_markdown, render_notice_html
from tenants.models import School, Trust

# Every test here may reach the session `world`; pytest-django only creates the test database when a
# selected test is marked, so mark them all (even when run alone with -k).
pytestmark = pytest.mark.django_db
replace = dataclasses.replace
SLUG = "pupils-and-parents"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def composed(world, django_db_blocker):
    """School A's complete notice, composed once (read only)."""
    with django_db_blocker.unblock(), tenant_context(world.school_a):
        document = compose_notice(Notice.objects.get(slug=SLUG), school=world.school_a)
    connection.set_schema_to_public()
    return document


class Outline(HTMLParser):
    """Headings (tag, id, text), every id, every in-page link, and a count of start tags."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.headings, self.ids, self.hash_links, self.tags = [], [], [], []
        self.nav_links, self._heading, self._in_nav = [], None, False
        self.col_headers = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "nav":
            self._in_nav = True
        if tag == "a" and (attrs.get("href") or "").startswith("#"):
            self.hash_links.append(attrs["href"][1:])
            if self._in_nav:
                self.nav_links.append(attrs["href"][1:])
        if tag == "th" and attrs.get("scope") == "col":
            self.col_headers += 1
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = [tag, attrs.get("id"), ""]

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_nav = False
        if self._heading and tag == self._heading[0]:
            self.headings.append((self._heading[0], self._heading[1], self._heading[2].strip()))
            self._heading = None

    def handle_data(self, data):
        if self._heading:
            self._heading[2] += data

    def texts(self, tag):
        return [text for t, _, text in self.headings if t == tag]


def _section(uid, heading, placement, body="Text.", kind="other"):
    return doc.Section(uid=uid, heading=heading, kind=kind, placement=placement, body=body)


# --- compose and JSON --------------------------------------------------------


def test_json_round_trip_gives_an_equal_document(composed):
    text = composed.to_json()
    again = NoticeDocument.from_json(text)
    assert again == composed
    assert again.to_dict() == composed.to_dict()
    assert again.to_json() == text
    assert isinstance(again.categories, tuple)
    assert isinstance(again.categories[0], doc.Category)
    assert isinstance(again.bases[1].special_categories, tuple)


def test_json_is_plain_data_with_the_schema_version(composed):
    data = json.loads(composed.to_json())
    assert data["schema"] == doc.SCHEMA_VERSION
    assert data["controller"]["name"] == "Xavier Trust"
    assert data["purposes"][0]["bases"] == [composed.bases[0].uid]


@pytest.mark.parametrize("schema", [doc.SCHEMA_VERSION + 1, 0, None, "1"])
def test_from_dict_refuses_an_unknown_schema_version(composed, schema):
    data = composed.to_dict()
    data["schema"] = schema
    with pytest.raises(ValueError, match="Unsupported notice document schema"):
        NoticeDocument.from_dict(data)


def test_from_dict_refuses_a_document_without_schema(composed):
    data = composed.to_dict()
    del data["schema"]
    with pytest.raises(ValueError, match="schema"):
        NoticeDocument.from_dict(data)


def test_controller_and_school_come_from_the_trust_and_school_records(world, composed):
    trust, school = world.trust_x, world.school_a
    assert composed.controller == doc.Controller(
        name=trust.name,
        address=trust.address,
        ico_registration=trust.ico_registration,
        dpo_name=trust.dpo_name,
        dpo_email=trust.dpo_email,
        complaints_contact=trust.complaints_contact,
    )
    assert composed.school == doc.SchoolInfo(
        name=school.name,
        slug=school.slug,
        urn=school.urn,
        address=school.address,
        headteacher=school.headteacher,
        contact_email=school.contact_email,
    )


def test_composing_after_the_trust_record_changes_uses_the_new_details(world):
    Trust.objects.filter(pk=world.trust_x.pk).update(name="Renamed Trust", dpo_email="new-dpo@trust-x.example.org")
    School.objects.filter(pk=world.school_a.pk).update(headteacher="New Head")
    school = School.objects.select_related("trust").get(pk=world.school_a.pk)
    with tenant_context(school):
        document = compose_notice(Notice.objects.get(slug=SLUG), school=school)
    assert document.controller.name == "Renamed Trust"
    assert document.controller.dpo_email == "new-dpo@trust-x.example.org"
    assert document.school.headteacher == "New Head"


def test_notice_fields_and_labels_are_frozen_into_the_document(composed):
    assert composed.schema == doc.SCHEMA_VERSION
    assert composed.title == "Privacy notice for pupils and parents"
    assert composed.audience_label == "Pupils and parents"
    assert composed.review_by == "2027-09-01"
    assert composed.contact.name == "MarkerA Data Lead"
    assert [c.name for c in composed.categories] == ["Personal information", "Medical information"]
    assert [c.special for c in composed.categories] == [False, True]
    assert composed.bases[0].article6_label == "Article 6(1)(e): public task"
    assert composed.bases[0].article9_label == ""
    assert composed.bases[1].article9_label == "Article 9(2)(g): substantial public interest"
    assert composed.recipients[0].sharing_label == "Required by law"
    assert composed.rights[0].label == "Ask for a copy of your information (right of access)"
    assert composed.systems[0].name == "MarkerA Records System"


def test_purposes_reference_bases_by_uid(composed):
    by_uid = composed.basis_by_uid()
    assert len(by_uid) == 2
    titles = {p.name: [by_uid[uid].title for uid in p.bases] for p in composed.purposes}
    assert titles == {
        "To support pupil learning": ["Running the school"],
        "To look after pupils' health": ["Keeping pupils healthy"],
    }


def test_bases_refer_to_their_special_categories_by_uid(composed):
    names = {c.uid: c.name for c in composed.categories}
    special = {b.title: tuple(names[uid] for uid in b.special_categories) for b in composed.bases}
    assert special == {"Running the school": (), "Keeping pupils healthy": ("Medical information",)}


def _fixture(schema):
    return json.loads((FIXTURES / f"document_schema_{schema}.json").read_text())


@pytest.mark.parametrize("schema", range(1, doc.SCHEMA_VERSION))
def test_every_earlier_schema_fixture_upgrades_to_the_current_document(schema):
    stored = _fixture(schema)
    upgraded = NoticeDocument.from_dict(stored)
    assert upgraded.schema == doc.SCHEMA_VERSION
    assert upgraded.title == stored["title"]
    assert [c.name for c in upgraded.categories] == [c["name"] for c in stored["categories"]]
    # Reading never rewrites what is stored.
    assert stored == _fixture(schema)


def test_schema_1_special_categories_become_the_uids_of_the_named_categories():
    stored = _fixture(1)
    upgraded = NoticeDocument.from_dict(stored)
    names = {c.uid: c.name for c in upgraded.categories}
    for before, after in zip(stored["bases"], upgraded.bases, strict=True):
        assert [names[uid] for uid in after.special_categories] == before["special_categories"]
    assert any(b.special_categories for b in upgraded.bases)


def test_an_upgraded_document_renders_and_checks_like_a_current_one():
    from notices.checks import check_document
    from notices.rendering import render_notice_html

    upgraded = NoticeDocument.from_dict(_fixture(1))
    assert "Special category data covered" in render_notice_html(upgraded)
    assert check_document(upgraded)


def test_there_is_a_frozen_fixture_for_every_earlier_schema():
    assert sorted(p.name for p in FIXTURES.glob("document_schema_*.json")) == [
        f"document_schema_{n}.json" for n in range(1, doc.SCHEMA_VERSION)
    ]
    assert sorted(doc.UPGRADES) == list(range(1, doc.SCHEMA_VERSION))


def test_register_uids_are_unique_strings(composed):
    uids = [item.uid for register in REGISTERS for item in getattr(composed, register.attr)]
    assert all(isinstance(uid, str) and len(uid) == 36 for uid in uids)
    assert len(set(uids)) == len(uids)


# --- render_notice_html: structure -------------------------------------------


@pytest.fixture(scope="module")
def placed(composed):
    """School A's notice with one extra section at every placement, rendered."""
    extra = (
        _section("x-start", "Start note", "start"),
        _section("x-cat", "Categories note", "after_categories"),
        _section("x-storage", "Storage note", "after_storage"),
        _section("x-sharing", "Sharing note", "after_sharing"),
        _section("x-end", "End note", "end"),
    )
    document = replace(composed, sections=composed.sections + extra)
    return Outline(render_notice_html(document))


def test_rendered_notice_has_exactly_one_h1_the_title(composed):
    outline = Outline(render_notice_html(composed))
    assert outline.tags.count("h1") == 1
    assert outline.texts("h1") == [composed.title]


def test_h2s_follow_dfe_order_with_each_section_after_its_register(placed):
    assert placed.texts("h2") == [
        "At a glance",
        "Contents",
        "Who we are",
        "Start note",
        "The information we hold",
        "Categories note",
        "Why we use it and our lawful basis",
        "Collecting information",
        "Where we get information from",
        "How we store it and how long we keep it",
        "Storage note",
        "Who we share it with",
        "Sharing note",
        "Your rights",
        "Automated decisions",
        "How to complain",
        "Contact us",
        "End note",
    ]


def test_contents_lists_every_part_after_the_summary(placed):
    h2_ids = [hid for tag, hid, _ in placed.headings if tag == "h2"]
    assert h2_ids[:2] == ["summary", "contents-heading"]
    assert placed.nav_links == h2_ids[2:]


def test_every_in_page_link_has_a_matching_id_and_ids_are_unique(placed):
    assert placed.hash_links
    assert set(placed.hash_links) <= set(placed.ids)
    assert len(placed.ids) == len(set(placed.ids))


def test_sections_with_the_same_heading_get_distinct_anchors(composed):
    sections = (
        _section("d1", "More detail", "after_purposes"),
        _section("d2", "More detail", "after_sharing"),
    )
    outline = Outline(render_notice_html(replace(composed, sections=sections)))
    assert "more-detail" in outline.ids
    assert "more-detail-2" in outline.ids
    assert {"more-detail", "more-detail-2"} <= set(outline.nav_links)
    assert len(outline.ids) == len(set(outline.ids))


def test_section_heading_matching_a_later_register_anchor_does_not_duplicate_ids(composed):
    sections = (
        _section("c1", "Contact", "after_rights"),
        _section("c2", "Sharing", "after_categories"),
        _section("c3", "Top", "start"),
    )
    outline = Outline(render_notice_html(replace(composed, sections=sections)))
    assert len(outline.ids) == len(set(outline.ids)), sorted(outline.ids)


def test_registers_are_lists_and_systems_and_retention_are_tables_with_column_headers(composed):
    html = render_notice_html(composed)
    outline = Outline(html)
    assert re.search(r'<ul class="register">\s*<li><strong>Personal information</strong>', html)
    assert re.search(r'<ul class="register">\s*<li><strong>To support pupil learning</strong>', html)
    assert re.search(r'<ul class="register">\s*<li><strong>The Department for Education</strong>', html)
    assert outline.tags.count("table") == 2
    assert outline.col_headers == 5  # System, used for, supplier; record, period
    assert re.search(r'<th scope="row">MarkerA Records System</th>', html)
    assert re.search(r'<th scope="row">Pupil record</th><td>Until the pupil is 25</td>', html)
    assert "<caption>" in html


def test_purposes_show_their_basis_titles(composed):
    html = render_notice_html(composed)
    assert re.search(r"To look after pupils&#x27; health</strong>.*?Lawful basis: Keeping pupils healthy", html, re.S)
    assert re.search(r"To support pupil learning</strong>.*?Lawful basis: Running the school</span>", html, re.S)


def test_heading_in_a_section_body_is_demoted_below_the_section_h2(composed):
    body = "# Title\n\nText.\n\n## Sub\n\n#### Deep"
    outline = Outline(render_notice_html(replace(composed, sections=(_section("h", "Headed", "end", body),))))
    assert outline.texts("h1") == [composed.title]
    assert "Title" in outline.texts("h3")
    assert "Sub" in outline.texts("h3")
    assert "Deep" in outline.texts("h4")
    assert "Title" not in outline.texts("h1") + outline.texts("h2")


# --- render_markdown: sanitising -------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "Hi <script>alert(1)</script> there",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        '<a href="https://x" onclick="y">z</a>',
        '<a href="java&#115;cript:alert(1)">x</a>',
        '<p style="color:red" onmouseover="alert(1)">x</p>',
        "<iframe src=https://evil.example></iframe>",
    ],
)
def test_render_markdown_makes_active_content_inert(text):
    html = str(render_markdown(text)).lower()
    for danger in ("<script", "onerror", "javascript:", "onclick", "onmouseover", "<img", "<iframe", "style="):
        assert danger not in html, html


def test_render_markdown_keeps_the_link_text_but_drops_a_javascript_href():
    html = str(render_markdown("[click me](javascript:alert(1))"))
    assert "click me" in html
    assert "href" not in html


def test_render_markdown_keeps_a_safe_link_without_its_event_handler():
    html = str(render_markdown('<a href="https://x" onclick="y">z</a>'))
    assert 'href="https://x"' in html
    assert ">z</a>" in html


def test_render_markdown_keeps_the_allowed_subset():
    html = str(
        render_markdown(
            "### Heading\n\n**bold** and *em*\n\n- one\n- two\n\nThen:\n\n1. first\n\n[ICO](https://ico.org.uk/concerns/)"
            " or [email](mailto:dpo@example.org)"
        )
    )
    assert "<h3>Heading</h3>" in html
    assert "<strong>bold</strong>" in html
    assert "<em>em</em>" in html
    assert re.search(r"<ul>\s*<li>one</li>\s*<li>two</li>\s*</ul>", html)
    assert re.search(r"<ol>\s*<li>first</li>\s*</ol>", html)
    assert re.search(r'<a href="https://ico.org.uk/concerns/"[^>]*>ICO</a>', html)
    assert 'href="mailto:dpo@example.org"' in html


def test_render_markdown_escapes_text_and_demotes_h1():
    html = str(render_markdown("# Top\n\nage < 13 & over"))
    assert "<h1" not in html
    assert "<h3>Top</h3>" in html
    assert "age &lt; 13 &amp; over" in html
