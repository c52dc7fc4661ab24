"""The PDF of a version: real WeasyPrint output, tagged PDF/UA-1, checked with pypdf."""

import datetime
import io
import os
import subprocess
import sys

import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from pypdf import PdfReader

from notices import pdf as pdf_module
from notices.compose import compose_notice
from notices.document import NoticeDocument
from notices.models import Notice, NoticeVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(world):
    with tenant_context(world.school_a):
        version = NoticeVersion.objects.get(notice__slug="pupils-and-parents", number=1)
        with version.pdf.open("rb") as f:
            data = f.read()
    connection.set_schema_to_public()
    return NoticeDocument.from_dict(version.document), PdfReader(io.BytesIO(data))


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
