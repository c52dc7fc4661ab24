"""The PDF of a version: real WeasyPrint output, tagged PDF/UA-1, checked with pypdf."""

import datetime
import io
import os
import subprocess
import sys

import lxml.html
import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from pypdf import PdfReader

from notices import demo_content
from notices import pdf as pdf_module
from notices.compose import compose_notice
from notices.demo import load_notice
from notices.document import NoticeDocument
from notices.models import Notice, NoticeVersion
from notices.rendering import render_notice_html

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(world):
    with tenant_context(world.school_a):
        version = NoticeVersion.objects.get(notice__slug="pupils-and-parents", number=1)
        with version.pdf.open("rb") as f:
            data = f.read()
    connection.set_schema_to_public()
    return NoticeDocument.from_dict(version.document), PdfReader(io.BytesIO(data))


@pytest.fixture
def demo_document(world):
    """Hollybrook's demo notice, loaded into school A: every register filled, tables long enough to cross pages."""
    with tenant_context(world.school_a):
        notice = load_notice({**demo_content.TRUSTS[0]["schools"][0]["notice"], "slug": "demo-notice"})
        document = compose_notice(notice, school=world.school_a)
    connection.set_schema_to_public()
    return document


@pytest.fixture
def demo_pdf(demo_document):
    """The HTML WeasyPrint is given for the demo notice, and the PDF it makes of it."""
    when = {"version_number": 1, "published_on": datetime.date(2026, 1, 1)}
    html = pdf_module.pdf_html(demo_document, **when)
    return html, PdfReader(io.BytesIO(pdf_module.render_pdf(demo_document, **when)))


def structure_children(element):
    """The structure elements directly under `element` (marked content and annotations left out)."""
    kids = element.get("/K", [])
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object()
        if isinstance(kid, dict) and "/S" in kid:
            yield kid


def structure_elements(element, tag):
    """Every structure element tagged `tag` under `element`, in reading order."""
    for kid in structure_children(element):
        if kid["/S"] == tag:
            yield kid
        yield from structure_elements(kid, tag)


def header_scopes(row):
    """The /Scope of each TH of a PDF TR, or None; each TH must carry the table attribute owner."""
    headers = [cell for cell in structure_children(row) if cell["/S"] == "/TH"]
    assert all(cell["/A"]["/O"] == "/Table" for cell in headers)
    return [cell["/A"].get("/Scope") for cell in headers]


def pdf_tables(reader):
    """Each /Table of the PDF as (the header scopes of each row in THead, the same for each row in TBody).

    A table that runs across pages is one /Table per page, each repeating the column headers.
    """
    tables = []
    for table in structure_elements(reader.trailer["/Root"]["/StructTreeRoot"], "/Table"):
        groups = {group["/S"]: group for group in structure_children(table)}
        tables.append(
            tuple(
                [header_scopes(row) for row in structure_elements(groups[tag], "/TR")] for tag in ("/THead", "/TBody")
            )
        )
    return tables


_PDF_SCOPE = {"col": "/Column", "row": "/Row"}


def html_tables(html):
    """Each <table> as (the scope of each <th> of each row in <thead>, the same for each row in <tbody>)."""
    return [
        tuple(
            [[_PDF_SCOPE.get(th.get("scope")) for th in row.findall("th")] for row in table.findall(f"{group}/tr")]
            for group in ("thead", "tbody")
        )
        for table in lxml.html.fromstring(html).iter("table")
    ]


def normalised_text(reader):
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_pdf_is_tagged_with_language_and_title(published):
    document, reader = published
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata.title == "Privacy notice for pupils and parents: School A, version 1"
    assert reader.metadata.author == "Xavier Trust"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "pdfuaid:part" in xmp


def test_every_page_has_the_running_header_and_page_x_of_y(published):
    _, reader = published
    total = len(reader.pages)
    assert total >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = " ".join(page.extract_text().split())
        assert f"Page {number} of {total}" in text
        assert "School A · Privacy notice for pupils and parents · Version 1 ·" in text


def test_pdf_text_contains_every_register_item(published):
    document, reader = published
    text = normalised_text(reader)
    items = (
        [c.name for c in document.categories]
        + [p.name for p in document.purposes]
        + [b.title for b in document.bases]
        + [s.name for s in document.systems]
        + [r.record_type for r in document.retention]
        + [r.name for r in document.recipients]
        + [r.label for r in document.rights]
        + [s.heading for s in document.sections]
    )
    missing = [item for item in items if " ".join(item.split()) not in text]
    assert missing == []


def test_pdf_link_text_is_meaningful_and_shows_the_address(published):
    _, reader = published
    text = normalised_text(reader)
    assert "contact the Information Commissioner's Office (https://ico.org.uk/concerns/)" in text


def test_fonts_are_the_shipped_font_and_embedded(published):
    _, reader = published
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            fonts[font["/BaseFont"]] = descendant["/FontDescriptor"].get_object()
    assert fonts
    for name, descriptor in fonts.items():
        assert "Portal-Sans" in name
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), name


def test_an_error_logged_by_weasyprint_fails_the_render(world, monkeypatch):
    with tenant_context(world.school_a):
        document = compose_notice(Notice.objects.get(), school=world.school_a)
    monkeypatch.setattr(
        pdf_module,
        "pdf_html",
        lambda *a, **k: (
            '<html lang="en-GB"><title>t</title><link rel="stylesheet" href="missing.css"><h1>x</h1></html>'
        ),
    )
    with pytest.raises(pdf_module.PdfRenderError, match="missing.css"):
        pdf_module.render_pdf(document, version_number=1, published_on=datetime.date(2026, 1, 1))


@pytest.mark.parametrize(
    "resource",
    ['<link rel="stylesheet" href="file:///etc/hostname">', '<img src="https://example.org/logo.png" alt="">'],
)
def test_a_pdf_may_load_only_the_portals_static_files(world, monkeypatch, resource):
    with tenant_context(world.school_a):
        document = compose_notice(Notice.objects.get(), school=world.school_a)
    monkeypatch.setattr(
        pdf_module, "pdf_html", lambda *a, **k: f'<html lang="en-GB"><title>t</title>{resource}<h1>x</h1></html>'
    )
    with pytest.raises(pdf_module.PdfRenderError, match="only use the portal's static files"):
        pdf_module.render_pdf(document, version_number=1, published_on=datetime.date(2026, 1, 1))


def test_weasyprint_is_not_imported_by_the_web_code():
    code = (
        "import django, sys; django.setup(); "
        "import notices.pdf, notices.views, notices.publishing, trust_portal.urls_tenants; "
        "print('weasyprint' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "trust_portal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "False", result.stderr


def test_every_header_cell_of_the_notice_html_declares_its_scope(demo_document):
    tables = lxml.html.fromstring(render_notice_html(demo_document)).findall(".//table")
    assert len(tables) == 2  # systems, then retention
    for table in tables:
        assert [th.get("scope") for th in table.findall("thead/tr/th")] == ["col"] * len(table.findall("thead/tr/th"))
        rows = table.findall("tbody/tr")
        assert rows
        for row in rows:
            # The first cell names the row: it is the row's header, the rest are its data.
            assert [cell.tag for cell in row] == ["th"] + ["td"] * (len(row) - 1)
            assert row[0].get("scope") == "row"
        assert table.findall(".//th") == table.findall("thead/tr/th") + [row[0] for row in rows]


def test_every_pdf_table_header_cell_carries_the_scope_of_its_html_th(demo_pdf):
    html, reader = demo_pdf
    html_side, pdf_side = html_tables(html), pdf_tables(reader)
    assert len(pdf_side) > len(html_side), "the demo's tables should run across pages, as in the PDF/UA check"
    # Each page's part of a table holds the next body rows of one HTML table, under that table's column headers.
    body_rows = iter([(n, row) for n, (_, body) in enumerate(html_side) for row in body])
    for head, body in pdf_side:
        taken = [next(body_rows) for _ in body]
        assert taken
        owner = taken[0][0]
        assert {n for n, _ in taken} == {owner}
        assert head == html_side[owner][0]
        assert body == [row for _, row in taken]
    assert next(body_rows, None) is None


def test_the_published_pdf_tags_each_header_cell_with_the_scope_of_its_html_th(published):
    document, reader = published
    # One row per table: nothing runs across a page, so the PDF's tables are the HTML's one for one.
    assert pdf_tables(reader) == html_tables(render_notice_html(document))
    assert pdf_tables(reader) == [([["/Column"] * 3], [["/Row"]]), ([["/Column"] * 2], [["/Row"]])]
