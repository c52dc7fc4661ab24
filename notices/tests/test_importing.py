"""Importing an existing notice file into a school's draft (notices.importing)."""

import io
import json
import zipfile
from pathlib import Path

import docx
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tenants.utils import tenant_context

from notices.importing.blocks import HEADING, ITEM, TABLE, ImportRefused
from notices.importing.mapping import coverage, map_blocks
from notices.importing.reading import read, text_blocks
from notices.importing.service import import_notice
from notices.models import Notice
from notices.tests.seed_facts import SEED_FACTS

SEEDS = Path(settings.BASE_DIR) / "notices" / "tests" / "fixtures" / "seeds"
SEED_FILES = {"000": "000_8b8c92d444d07b16.txt", "004": "004_4663a02693de1972.txt"}
RETENTION_TABLE = (("Record", "Retention period"), ("Pupil record", "Kept for 25 years from the child's date of birth"))

# Facts the seed's own wording holds that this importer puts elsewhere than the register seed_facts names,
# mostly because they sit in running prose it leaves as narrative (see the report of the foundation). They
# must still be in the draft: nothing is lost. Measured, not wished: shrink this as the mapping improves.
ELSEWHERE = {
    "000": {
        "legislation": {"Section 507B"},  # the youth support recipients' legal basis
        "recipients": {"educational attainment"},  # the "Why we share" paragraph
        "sections": {"https://ico.org.uk/concerns/"},  # the right to complain to the ICO
    },
    "004": {
        "categories": {"emergency contact"},
        "purposes": {"learning styles", "pastoral needs and attendance"},
        "legislation": {
            "Education Act 1996",
            "Regulation 5 of The Education (Information About Individual Pupils) (England) Regulations 2013",
            "Article 6",
            "Article 9",
            "December 2024",
        },
        "recipients": {"Parents and carers", "School Age Immunisation Service"},
        "systems": {"electronic payments for school meals", "school budgets"},
        "sections": {"https://ico.org.uk/concerns/"},
    },
}


def _seed_text(seed):
    return (SEEDS / SEED_FILES[seed]).read_text(encoding="utf-8")


def _docx_bytes(blocks, *, table=RETENTION_TABLE):
    """A Word file of `blocks` the way Word writes one: heading styles, List Bullet paragraphs, a table."""
    document = docx.Document()
    for block in blocks:
        if block.kind == HEADING:
            document.add_heading(block.text, level=min(block.level, 3))
        elif block.kind == ITEM:
            document.add_paragraph(block.text, style="List Number" if block.ordered else "List Bullet")
        else:
            document.add_paragraph(block.text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, cells in zip(grid.rows, table, strict=True):
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _html_bytes(blocks):
    """A web page of `blocks` the way a school website saves one: headings, paragraphs, lists, with page chrome."""
    from html import escape

    parts, in_list = [], False
    for block in blocks:
        if block.kind == ITEM and not in_list:
            parts.append("<ul>")
            in_list = True
        elif block.kind != ITEM and in_list:
            parts.append("</ul>")
            in_list = False
        tag = {HEADING: "h2", ITEM: "li"}.get(block.kind, "p")
        parts.append(f"<{tag}>{escape(block.text)}</{tag}>")
    if in_list:
        parts.append("</ul>")
    page = (
        "<!DOCTYPE html><html><head><title>Privacy notice</title><style>body{font:1em sans-serif}</style>"
        "<script>track()</script></head><body>" + "".join(parts) + "</body></html>"
    )
    return page.encode()


def _seed_file(seed, fmt):
    text = _seed_text(seed)
    if fmt == "txt":
        return SEED_FILES[seed], text.encode()
    if fmt == "html":
        return f"{seed}.html", _html_bytes(text_blocks(text))
    return f"{seed}.docx", _docx_bytes(text_blocks(text))


def _norm(text):
    return text.lower().replace("’", "'")


def _register_text(document, key):
    fields = {
        "categories": ("categories", ("name", "examples")),
        "purposes": ("purposes", ("name", "detail")),
        "legislation": ("bases", ("title", "legislation", "explanation")),
        "recipients": ("recipients", ("name", "reason", "legal_basis")),
        "systems": ("systems", ("name", "used_for", "supplier")),
        "retention": ("retention", ("record_type", "period")),
        "sections": ("sections", ("heading", "body")),
        "transfers": ("sections", ("heading", "body")),
    }
    attr, names = fields[key]
    return _norm(" ".join(getattr(item, name) for item in getattr(document, attr) for name in names)).replace("\\", "")


def _all_text(document):
    return " ".join(
        _register_text(document, key)
        for key in ("categories", "purposes", "legislation", "recipients", "systems", "retention", "sections")
    ) + _norm(" ".join(r.how_to_exercise for r in document.rights))


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["txt", "docx", "html"])
@pytest.mark.parametrize("seed", ["000", "004"])
def test_a_seed_lands_in_its_registers_and_keeps_its_words(world, seed, fmt):
    filename, data = _seed_file(seed, fmt)
    result = import_notice(world.school_a, data, filename, slug="imported", user=world.editor_a)
    document, source = result.document, _norm(_seed_text(seed))
    assert result.report.coverage >= 0.98
    assert coverage(read(filename, data), document) == result.report.coverage
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


@pytest.mark.django_db
def test_an_import_is_a_draft_never_published_with_one_reason_in_its_history(world):
    filename, data = _seed_file("000", "docx")
    result = import_notice(world.school_a, data, filename, slug="imported", user=world.editor_a)
    with tenant_context(world.school_a):
        notice = Notice.objects.get(slug="imported")
        assert not notice.versions.exists()
        assert notice.history.latest().history_change_reason == "Imported from 000.docx"
        assert notice.retention_rules.filter(record_type="Pupil record").exists()
    assert result.notice.pk == notice.pk


@pytest.mark.django_db
def test_importing_into_school_a_leaves_school_b_untouched(world):
    with tenant_context(world.school_b):
        before = list(Notice.objects.values_list("slug", "title"))
    filename, data = _seed_file("004", "txt")
    import_notice(world.school_a, data, filename, slug="imported", user=world.editor_a)
    with tenant_context(world.school_b):
        assert list(Notice.objects.values_list("slug", "title")) == before
        assert not Notice.objects.filter(slug="imported").exists()


def test_school_bs_dpl_cannot_import_into_school_a(world):
    filename, data = _seed_file("000", "txt")
    with pytest.raises(ImportRefused, match="no role at School A"):
        import_notice(world.school_a, data, filename, slug="imported", user=world.editor_b)
    with tenant_context(world.school_a):
        assert not Notice.objects.filter(slug="imported").exists()


@pytest.mark.django_db
def test_importing_over_an_existing_notice_is_refused_without_replace(world):
    filename, data = _seed_file("000", "txt")
    with pytest.raises(ImportRefused, match="already has a notice 'pupils-and-parents'"):
        import_notice(world.school_a, data, filename, slug="pupils-and-parents", user=world.editor_a)
    with tenant_context(world.school_a):
        assert Notice.objects.get(slug="pupils-and-parents").categories.filter(name="Characteristics").count() == 0


@pytest.mark.django_db
def test_replace_overwrites_the_draft_as_one_recorded_change(world):
    filename, data = _seed_file("000", "txt")
    import_notice(world.school_a, data, filename, slug="pupils-and-parents", user=world.editor_a, replace=True)
    with tenant_context(world.school_a):
        notice = Notice.objects.get(slug="pupils-and-parents")
        assert notice.categories.filter(name="Characteristics").exists()
        assert notice.history.latest().history_change_reason == f"Imported from {filename}"
        assert notice.versions.count() == 1  # the version published before stays; nothing new is published


def _zip(entries):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _bad_inputs():
    good = _docx_bytes(text_blocks("Contact\n\nAsk us."))
    return [
        ("empty.txt", b"", "is empty"),
        ("blank.docx", b"   \n", "is empty"),
        ("big.txt", b"a" * (settings.IMPORT_MAX_BYTES + 1), "larger than the 10 MB limit"),
        ("notice.doc", b"\xd0\xcf\x11\xe0rest", "save it as .docx first"),
        ("notice.docm", good, "Macro-enabled"),
        ("notice.txt", good, "does not match its extension"),
        ("notice.html", b"%PDF-1.7 ...", "does not match its extension"),
        ("notice.docx", b"Just some text, not Word.", "does not match its extension"),
        ("notice.docx", good[: len(good) // 2], "corrupt or truncated"),
        ("bomb.docx", _zip({f"f{n}.xml": b"" for n in range(1001)} | {"word/document.xml": b""}), "refused as unsafe"),
        ("bomb.docx", _zip({"word/document.xml": b"<" * (101 * 1024 * 1024)}), "refused as unsafe"),
        ("macros.docx", _zip({"word/document.xml": b"<w/>", "word/vbaProject.bin": b"x"}), "contains macros"),
        ("notice.pdf", b"%PDF-1.7", "corrupt or truncated"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("filename", "data", "message"), _bad_inputs(), ids=lambda v: v if isinstance(v, str) else "")
def test_bad_input_is_refused_in_one_sentence_and_leaves_nothing(world, filename, data, message):
    with pytest.raises(ImportRefused, match=message):
        import_notice(world.school_a, data, filename, slug="imported", user=world.editor_a)
    with tenant_context(world.school_a):
        assert not Notice.objects.filter(slug="imported").exists()


def test_html_comes_in_as_text_only_without_scripts_styles_or_images():
    page = (
        b"<html><head><style>p{color:red}</style><script>alert('head')</script></head><body>"
        b'<h2 onclick="steal()">Who we share information with</h2>'
        b"<p>We share with:<img src='https://evil.example/x.png'></p>"
        b"<ul><li onmouseover='x()'>our <b>local</b> authority</li><li>the DfE</li></ul>"
        b"<script>document.write('<p>injected</p>')</script>"
        b"<p>&lt;script&gt;kept as words&lt;/script&gt;</p></body></html>"
    )
    blocks = read("page.html", page)
    text = " ".join(block.text for block in blocks)
    assert [block.kind for block in blocks] == [HEADING, "paragraph", ITEM, ITEM, "paragraph"]
    assert "alert" not in text
    assert "injected" not in text
    assert "color" not in text
    assert "evil" not in text
    assert "steal" not in text
    content, _ = map_blocks(blocks)
    assert [r.name for r in content.items["recipients"]] == ["our local authority", "the DfE"]
    body = content.items["sections"][-1].body
    assert "&lt;script&gt;" in body  # the words survive, escaped, and can never become markup


def test_plain_text_finds_numbered_headings_and_a_heading_right_after_a_list():
    blocks = text_blocks(
        "3. Who we share information with\n\nWe share with:\n- our local authority\n- the DfE\n"
        "Youth support services\nOnce pupils reach 13 we pass on their data.\n\n"
        "1. conducting research\n2. producing statistics\n"
    )
    assert [(b.kind, b.text) for b in blocks[:1]] == [(HEADING, "Who we share information with")]
    assert (blocks[4].kind, blocks[4].text) == (HEADING, "Youth support services")
    assert [(b.kind, b.ordered) for b in blocks[-2:]] == [(ITEM, True), (ITEM, True)]


def test_word_bold_paragraphs_are_headings_and_list_styles_are_lists():
    document = docx.Document()
    document.add_paragraph().add_run("Storing pupil data").bold = True
    document.add_paragraph("We keep records safe.")
    document.add_paragraph("Register pupils", style="List Number")
    document.add_paragraph("Report progress", style="List Number")
    out = io.BytesIO()
    document.save(out)
    blocks = read("notice.docx", out.getvalue())
    assert [(b.kind, b.text) for b in blocks[:2]] == [
        (HEADING, "Storing pupil data"),
        ("paragraph", "We keep records safe."),
    ]
    assert [(b.kind, b.ordered) for b in blocks[2:]] == [(ITEM, True), (ITEM, True)]


def test_a_retention_table_fills_the_retention_register():
    blocks = read("notice.docx", _docx_bytes(text_blocks("Storing pupil data\n\nWe keep records safely.")))
    assert blocks[-1].kind == TABLE
    content, _ = map_blocks(blocks)
    assert [(r.record_type, r.period) for r in content.items["retention"]] == [RETENTION_TABLE[1]]


def test_a_document_that_is_not_a_notice_is_reported_as_recognised_very_little():
    minutes = (
        "Minutes of the PTA meeting\n\nPresent: six parents and the treasurer.\n\n"
        "Summer fair\n\nThe fair raised more money than last year. Stalls were busy all afternoon.\n"
        "- cake stall\n- tombola\n- face painting\n\nNext meeting\n\nWe meet again in September in the hall.\n"
    )
    _, report = map_blocks(text_blocks(minutes))
    assert report.recognised_little
    assert "Recognised very little" in "\n".join(report.summary_lines())


@pytest.mark.django_db
def test_dry_run_prints_export_json_and_saves_nothing(world, tmp_path, capsys):
    path = tmp_path / "notice.txt"
    path.write_text(_seed_text("004"), encoding="utf-8")
    call_command("import_notice", str(path), "--school", world.school_a.slug, "--notice", "imported", "--dry-run")
    out, err = capsys.readouterr()
    exported = json.loads(out)
    assert exported["slug"] == "imported"
    assert exported["school"]["slug"] == world.school_a.slug
    assert {"categories", "bases", "purposes", "recipients", "rights", "sections"} <= exported.keys()
    assert len(exported["recipients"]) == 17
    assert "Recognised" in err
    with tenant_context(world.school_a):
        assert not Notice.objects.filter(slug="imported").exists()


@pytest.mark.django_db
def test_the_command_refuses_bad_input_with_one_line(world, tmp_path):
    path = tmp_path / "notice.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(CommandError, match=r"^This is an old Word \.doc file: save it as \.docx first"):
        call_command("import_notice", str(path), "--school", world.school_a.slug)
    with pytest.raises(CommandError, match="No school with slug 'nowhere'"):
        call_command("import_notice", str(path), "--school", "nowhere")


def test_an_overlong_line_in_a_register_list_is_imported_without_error_and_without_losing_words(world):
    long = "Very long category " + " ".join(f"word{n}" for n in range(120))
    text = f"The categories of pupil information that we collect include:\n\n- {long}\n- Attendance information\n"
    result = import_notice(world.school_a, text.encode(), "long.txt", slug="long", user=world.editor_a)
    assert result.report.coverage >= 0.98


def test_an_overlong_system_line_is_kept_whole_as_text_to_place_and_reported(world):
    long = "Bromcom - " + " ".join(f"detail{n}" for n in range(80))
    text = f"Where we store pupil data\n\nWe use these systems:\n\n- {long}\n- Arbor - attendance\n"
    result = import_notice(world.school_a, text.encode(), "systems.txt", slug="systems", user=world.editor_a)
    place = next(s for s in result.document.sections if s.heading == "Text to place")
    assert "detail79" in place.body
    assert any("too long for one row" in doubt.why for doubt in result.report.doubts)
    assert result.report.coverage >= 0.98


def test_trust_staff_import_a_template_that_no_school_sees_until_it_is_released(world):
    from notices.importing.service import import_template
    from notices.releasing import template_notice, workspace_context
    from tenants.models import AuditEvent, Template

    filename, data = _seed_file("004", "docx")
    result = import_template(world.trust_x, data, filename, slug="imported", user=world.publisher_x)
    template = Template.objects.get(trust=world.trust_x, slug="imported")
    assert not template.releases.exists()
    with workspace_context(template):
        assert template_notice(template).categories.exists()
    assert result.report.coverage >= 0.98
    assert AuditEvent.objects.filter(action="notice_imported", trust=world.trust_x, details__template="imported")
    with pytest.raises(ImportRefused, match="already has a template 'imported'"):
        import_template(world.trust_x, data, filename, slug="imported", user=world.publisher_x)


def test_only_the_trusts_publishers_import_its_templates(world):
    from notices.importing.service import import_template
    from tenants.models import Template

    filename, data = _seed_file("000", "txt")
    for someone in (world.editor_a, world.publisher_y):
        with pytest.raises(ImportRefused, match="Only publishers of Xavier Trust"):
            import_template(world.trust_x, data, filename, slug="nope", user=someone)
    assert not Template.objects.filter(slug="nope").exists()


def test_the_command_imports_into_a_trust_template_with_trust(world, tmp_path):
    from tenants.models import Template

    filename, data = _seed_file("000", "txt")
    source = tmp_path / filename
    source.write_bytes(data)
    err = io.StringIO()
    call_command("import_notice", str(source), "--trust", world.trust_x.slug, "--notice", "cmd-template", stderr=err)
    assert Template.objects.filter(trust=world.trust_x, slug="cmd-template").exists()
    assert "nothing was released" in err.getvalue()
    with pytest.raises(CommandError, match="No trust with slug 'nope'"):
        call_command("import_notice", str(source), "--trust", "nope")
