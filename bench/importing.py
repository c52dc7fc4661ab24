"""Issue 14: importing a Word notice of about ten pages, timed as a school's DPL would wait for its report.

The file is made here with python-docx from both seeds (notices/tests/fixtures/seeds), the
first twice: about 4,300 words with heading styles and list paragraphs, some
ten pages in Word. Each run is import_notice's dry run (read, map, write the
draft in a transaction, compose, roll back): the report page's whole cost.
"""

import io
import statistics
import time

from bench.run import ROOT

SEEDS = ROOT / "notices" / "tests" / "fixtures" / "seeds"
RUNS = 5


def _notice_docx():
    import docx

    from notices.importing.blocks import HEADING, ITEM
    from notices.importing.reading import text_blocks

    texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    document = docx.Document()
    words = 0
    for text in texts + texts[:1]:
        words += len(text.split())
        for block in text_blocks(text):
            if block.kind == HEADING:
                document.add_heading(block.text, level=min(block.level or 1, 3))
            elif block.kind == ITEM:
                document.add_paragraph(block.text, style="List Bullet")
            else:
                document.add_paragraph(block.text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue(), words


def measure_import():
    from notices.importing.service import import_notice
    from tenants.models import School

    if not any(SEEDS.glob("*.txt")):
        print(f"  import: no seeds in {SEEDS}; not measured", flush=True)
        return {}
    data, words = _notice_docx()
    school = School.objects.select_related("trust").get(slug="kingsmere")
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        result = import_notice(school, data, "notice.docx", slug="bench-import", dry_run=True)
        times.append(time.perf_counter() - start)
    figures = {
        "import_docx_s": statistics.median(times),
        "import_docx_words": words,
        "import_docx_kb": len(data) / 1024,
        "import_docx_coverage": result.report.coverage,
    }
    print(f"  import: a {words}-word .docx in {figures['import_docx_s']:.2f} s (median of {RUNS})", flush=True)
    return figures


def import_line(results):
    if "import_docx_s" not in results:
        return ""
    return (
        f"Import: a Word notice of {results['import_docx_words']:,} words (about ten pages, "
        f"{results['import_docx_kb']:.0f} KB) read, mapped and drafted in {results['import_docx_s']:.2f} s "
        f"(median of {RUNS}), {results['import_docx_coverage']:.1%} of its words in the draft."
    )
