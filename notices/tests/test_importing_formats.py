"""Importing PDF (with a text layer) and OpenDocument .odt notices (notices.importing.reading)."""

import base64
import html
import io
import re
import zipfile
from xml.sax.saxutils import escape

import pytest
from django_tenants.utils import tenant_context
from PIL import Image
from pypdf import PdfReader
from weasyprint import HTML

from notices.importing.blocks import HEADING, ITEM, PARAGRAPH, TABLE, ImportRefused
from notices.importing.mapping import coverage
from notices.importing.reading import read, text_blocks
from notices.importing.service import import_notice
from notices.models import Notice
from notices.tests.seed_facts import SEED_FACTS
from notices.tests.test_importing import (
    ELSEWHERE,
    RETENTION_TABLE,
    _all_text,
    _norm,
    _register_text,
    _seed_text,
    _zip,
)

RUNNING_HEADER = "Oakfield School privacy notice"
# Margin boxes on every page: a running header, and a footer whose page number changes from page to page.
FURNITURE_CSS = (
    f"@page {{ @top-center {{ content: '{RUNNING_HEADER}' }}"
    " @bottom-center { content: 'Page ' counter(page) ' of ' counter(pages) } }"
)
RULED_CSS = "table { border-collapse: collapse } th, td { border: 1px solid black; padding: 4px }"


def _html(blocks, *, table=RETENTION_TABLE):
    """A page of `blocks` as a word processor would export it: h tags, ul/ol lists, paragraphs, a ruled table."""
    parts, open_list = [], None
    for block in blocks:
        tag = "ol" if block.ordered else "ul"
        if open_list and (block.kind != ITEM or tag != open_list):
            parts.append(f"</{open_list}>")
            open_list = None
        if block.kind == ITEM:
            if open_list is None:
                parts.append(f"<{tag}>")
                open_list = tag
            parts.append(f"<li>{html.escape(block.text)}</li>")
        elif block.kind == HEADING:
            level = min(block.level + 1, 6)
            parts.append(f"<h{level}>{html.escape(block.text)}</h{level}>")
        else:
            parts.append(f"<p>{html.escape(block.text)}</p>")
    if open_list:
        parts.append(f"</{open_list}>")
    if table:
        header, *rows = table
        parts.append("<table><tr>" + "".join(f"<th>{html.escape(cell)}</th>" for cell in header) + "</tr>")
        parts.extend("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
        parts.append("</table>")
    return "".join(parts)


def _pdf_bytes(body, *, css=FURNITURE_CSS + RULED_CSS):
    return HTML(string=f"<html><head><style>{css}</style></head><body>{body}</body></html>").write_pdf()


_ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.3"'
)
_ODT_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
_ODT_STYLES = (
    "<office:automatic-styles>"
    '<style:style style:name="Bold" style:family="paragraph"><style:text-properties fo:font-weight="bold"/>'
    "</style:style>"
    '<text:list-style style:name="Bullets"><text:list-level-style-bullet text:level="1" text:bullet-char="•"/>'
    "</text:list-style>"
    '<text:list-style style:name="Numbers"><text:list-level-style-number text:level="1" style:num-format="1"/>'
    "</text:list-style>"
    "</office:automatic-styles>"
)


def _odt_body(blocks, *, table=RETENTION_TABLE):
    """content.xml's body for `blocks`, the way LibreOffice writes them (one text:list per run of items)."""
    parts, open_list = [], None
    for block in blocks:
        style = "Numbers" if block.ordered else "Bullets"
        if open_list and (block.kind != ITEM or style != open_list):
            parts.append("</text:list>")
            open_list = None
        text = escape(block.text)
        if block.kind == ITEM:
            if open_list is None:
                parts.append(f'<text:list text:style-name="{style}">')
                open_list = style
            parts.append(f"<text:list-item><text:p>{text}</text:p></text:list-item>")
        elif block.kind == HEADING:
            parts.append(f'<text:h text:outline-level="{block.level}">{text}</text:h>')
        else:
            parts.append(f"<text:p>{text}</text:p>")
    if open_list:
        parts.append("</text:list>")
    if table:
        parts.append(
            f'<table:table table:name="Retention"><table:table-column table:number-columns-repeated="{len(table[0])}"/>'
        )
        for row in table:
            cells = "".join(f"<table:table-cell><text:p>{escape(cell)}</text:p></table:table-cell>" for cell in row)
            parts.append(f"<table:table-row>{cells}</table:table-row>")
        parts.append("</table:table>")
    return "".join(parts)


def _odt_bytes(body, *, extra=None):
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODT_NS}>{_ODT_STYLES}'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        # The OpenDocument rule: the mimetype comes first, stored uncompressed.
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", _ODT_MANIFEST)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def _seed_file(seed, fmt):
    blocks = text_blocks(_seed_text(seed))
    if fmt == "pdf":
        return f"{seed}.pdf", _pdf_bytes(_html(blocks))
    return f"{seed}.odt", _odt_bytes(_odt_body(blocks))


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["pdf", "odt"])
@pytest.mark.parametrize("seed", ["000", "004"])
def test_a_seed_as_pdf_or_odt_lands_in_its_registers_and_keeps_its_words(world, seed, fmt):
    filename, data = _seed_file(seed, fmt)
    result = import_notice(world.school_a, data, filename, slug="imported", user=world.editor_a)
    document, source = result.document, _norm(_seed_text(seed))
    assert result.report.coverage >= 0.98
    assert coverage(read(filename, data), document) == result.report.coverage
    # Measured against the seed's own words too, so a reader that drops text cannot pass by dropping it early.
    assert coverage(text_blocks(_seed_text(seed)), document) >= 0.98
    for key, facts in SEED_FACTS[seed].items():
        if key in ("rights", "contacts"):
            continue
        elsewhere = ELSEWHERE.get(seed, {}).get(key, set())
        for fact in facts:
            if _norm(fact) not in source:
                continue  # seed_facts describes the demo school, whose wording differs here
            where = _all_text(document) if fact in elsewhere else _register_text(document, key)
            assert _norm(fact) in where, f"{key}: {fact}"
    assert {right.right for right in document.rights} == set(SEED_FACTS[seed]["rights"])
    assert any(
        _norm(fact) in _norm(f"{document.contact.name} {document.contact.role}")
        for fact in SEED_FACTS[seed]["contacts"]
    )
    assert [(r.record_type, r.period) for r in document.retention if r.record_type == "Pupil record"] == [
        RETENTION_TABLE[1]
    ]


@pytest.mark.parametrize("fmt", ["pdf", "odt"])
@pytest.mark.parametrize("seed", ["000", "004"])
def test_a_seed_reads_as_the_same_blocks_as_its_text(seed, fmt):
    filename, data = _seed_file(seed, fmt)
    blocks = read(filename, data)
    assert blocks[-1].rows == RETENTION_TABLE
    assert [(b.kind, b.text, b.ordered) for b in blocks[:-1]] == [
        (b.kind, b.text, b.ordered) for b in text_blocks(_seed_text(seed))
    ]


@pytest.mark.django_db
def test_running_headers_footers_and_page_numbers_of_a_pdf_are_not_in_the_draft(world):
    filename, data = _seed_file("000", "pdf")
    assert len(PdfReader(io.BytesIO(data)).pages) >= 3
    blocks = read(filename, data)
    text = " ".join([block.text for block in blocks] + [" ".join(row) for b in blocks for row in b.rows])
    assert RUNNING_HEADER not in text
    assert not re.search(r"Page \d+ of \d+", text)
    result = import_notice(world.school_a, data, filename, slug="imported", user=world.editor_a)
    assert RUNNING_HEADER.lower() not in _all_text(result.document)
    assert not re.search(r"page \d+ of \d+", _all_text(result.document))


def test_a_bare_page_number_on_every_page_is_dropped_but_numbers_in_the_text_are_kept():
    pages = [
        "We keep admissions records for 25 years.",
        "Under the Education Act 1996 we share census data.",
        "There are 3 ways to contact us.",
    ]
    body = "".join(f"<p style='page-break-after: always'>{text}</p>" for text in pages)
    blocks = read("n.pdf", _pdf_bytes(body, css="@page { @bottom-right { content: counter(page) } }"))
    assert [block.text for block in blocks] == pages


def test_a_page_number_alone_at_the_foot_of_a_one_page_pdf_is_dropped():
    blocks = read(
        "n.pdf", _pdf_bytes("<p>We keep records safe.</p>", css="@page { @bottom-center { content: 'Page 1 of 1' } }")
    )
    assert [block.text for block in blocks] == ["We keep records safe."]


def test_pdf_headings_come_from_font_size_and_bold_and_a_heading_after_a_list_stays_a_heading():
    body = (
        "<h1>Privacy notice</h1><h2>Who we share information with</h2><p>We share with:</p>"
        "<ul><li>our local authority</li><li>the Department for Education (DfE), which collects data through"
        " the school census several times each year and keeps it</li></ul>"
        "<p><b>Storing pupil data</b></p><p>We keep records safe. They are kept for 25 years from the date of"
        " birth of the child, then destroyed securely by our\nrecords officer.</p>"
        "<ol><li>Register pupils</li><li>Report progress</li></ol>"
    )
    blocks = read("notice.pdf", _pdf_bytes(body, css=""))
    assert [(b.kind, b.level, b.ordered) for b in blocks] == [
        (HEADING, 1, False),
        (HEADING, 2, False),
        (PARAGRAPH, 0, False),
        (ITEM, 0, False),
        (ITEM, 0, False),
        (HEADING, 3, False),
        (PARAGRAPH, 0, False),
        (ITEM, 0, True),
        (ITEM, 0, True),
    ]
    assert blocks[4].text.endswith("several times each year and keeps it")
    assert blocks[6].text.endswith("then destroyed securely by our records officer.")


def test_a_pdf_table_without_rules_is_read_as_a_table():
    suppliers = (
        ("Supplier", "What they do", "Where"),
        ("Bromcom", "Our school information management system", "UK"),
        ("ParentPay", "Payments for school meals and trips", "UK"),
    )
    cells = "".join(
        "<tr>" + "".join(f"<td style='padding: 2px 40px 2px 0'>{c}</td>" for c in row) + "</tr>" for row in suppliers
    )
    body = f"<h2>Systems</h2><p>We use these systems.</p><table>{cells}</table><p>We review them every year.</p>"
    blocks = read("notice.pdf", _pdf_bytes(body, css=""))
    assert [b.kind for b in blocks] == [HEADING, PARAGRAPH, TABLE, PARAGRAPH]
    assert blocks[2].rows == suppliers


def _png():
    out = io.BytesIO()
    Image.new("RGB", (400, 300), "gray").save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def _bad_inputs():
    pdf = _pdf_bytes(_html(text_blocks("Contact\n\nAsk us about your data.")))
    odt = _odt_bytes(_odt_body(text_blocks("Contact\n\nAsk us about your data.")))
    scan = _pdf_bytes(f"<img src='data:image/png;base64,{_png()}'>", css="")
    content = f"<office:document-content {_ODT_NS}><office:body><office:text><text:p>Hi</text:p>"
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f"{content}<text:p>&b;</text:p></office:text></office:body></office:document-content>"
    )
    return [
        ("scan.pdf", scan, "has no text layer"),
        ("blank.pdf", _pdf_bytes("<p style='color: white'></p>", css=""), "has no text layer"),
        ("notice.pdf", pdf[: len(pdf) // 2], "corrupt or truncated"),
        ("notice.pdf", b"%PDF-1.7\n", "corrupt or truncated"),
        ("notice.pdf", b"Just some text, not a PDF.", "does not match its extension: it is not a PDF"),
        ("notice.pdf", odt, "does not match its extension: its content is a zip archive"),
        ("notice.odt", pdf, "does not match its extension: its content is a PDF"),
        ("notice.odt", odt[: len(odt) // 2], "corrupt or truncated"),
        ("notice.odt", _zip({"word/document.xml": b"<w/>"}), "not an OpenDocument .odt file"),
        ("macros.odt", _odt_bytes("<text:p>Hi</text:p>", extra={"Basic/Standard/Module1.xml": "x"}), "contains macros"),
        ("macros.odt", _odt_bytes("<text:p>Hi</text:p>", extra={"Scripts/python/run.py": "x"}), "contains macros"),
        ("bomb.odt", _zip({f"f{n}.xml": b"" for n in range(1001)} | {"content.xml": b""}), "refused as unsafe"),
        ("bomb.odt", _zip({"content.xml": b"<" * (101 * 1024 * 1024)}), "refused as unsafe"),
        ("laughs.odt", _zip({"content.xml": laughs.encode()}), "refused as unsafe"),
        ("notice.rtf", b"{\\rtf1 Hi}", r"use \.docx, \.odt, \.pdf, \.html, \.htm, \.txt or \.md\."),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("filename", "data", "message"), _bad_inputs(), ids=lambda v: v if isinstance(v, str) else "")
def test_bad_pdf_and_odt_input_is_refused_in_one_sentence_and_leaves_nothing(world, filename, data, message):
    with pytest.raises(ImportRefused, match=message) as refused:
        import_notice(world.school_a, data, filename, slug="imported", user=world.editor_a)
    assert str(refused.value).count(". ") == 0
    with tenant_context(world.school_a):
        assert not Notice.objects.filter(slug="imported").exists()


def test_a_scan_is_told_to_export_from_the_original():
    with pytest.raises(ImportRefused, match="export a PDF from the original document"):
        read("scan.pdf", _pdf_bytes(f"<img src='data:image/png;base64,{_png()}'>", css=""))


def test_odt_headings_bold_paragraphs_numbered_lists_and_tables_keep_their_structure():
    body = (
        '<text:h text:outline-level="2"><text:number>3.</text:number>Who we share information with</text:h>'
        '<text:p>We share with:<text:s text:c="2"/>always</text:p><text:list text:style-name="Numbers">'
        "<text:list-item><text:p>our local authority</text:p></text:list-item>"
        "<text:list-item><text:p>the DfE</text:p></text:list-item></text:list>"
        '<text:p text:style-name="Bold">Storing pupil data</text:p>'
        '<text:section text:name="S"><text:p>Records are kept<office:annotation><text:p>check this</text:p>'
        "</office:annotation> safely.</text:p></text:section>"
    )
    blocks = read("notice.odt", _odt_bytes(body))
    assert [(b.kind, b.level, b.ordered, b.text) for b in blocks] == [
        (HEADING, 2, False, "Who we share information with"),
        (PARAGRAPH, 0, False, "We share with: always"),
        (ITEM, 0, True, "our local authority"),
        (ITEM, 0, True, "the DfE"),
        (HEADING, 2, False, "Storing pupil data"),
        (PARAGRAPH, 0, False, "Records are kept safely."),
    ]
