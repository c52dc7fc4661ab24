"""Notice HTML -> tagged PDF/UA-1 with WeasyPrint.

WeasyPrint is imported inside the functions that use it: it is slow to import
and only publishing needs it. A single publish from the admin or the console
renders in that web worker (about a second); trust-wide runs render in the
background worker. Public pages never render a PDF.
"""

import logging
import threading
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string

from notices.document import NoticeDocument
from notices.rendering import render_notice_html

STATIC_DIR = Path(settings.BASE_DIR) / "static"

# A URL fetcher keeps per-request state, so each thread has its own.
_per_thread = threading.local()


class PdfRenderError(Exception):
    pass


class _ErrorCollector(logging.Handler):
    """Collects the errors WeasyPrint logs from this thread only, so one render never fails another's."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.thread = threading.get_ident()
        self.messages = []

    def emit(self, record):
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


def pdf_html(document: NoticeDocument, *, version_number: int, published_on, effective_at=None) -> str:
    return render_to_string(
        "notices/pdf.html",
        {
            "doc": document,
            "article": render_notice_html(document),
            "version_number": version_number,
            "published_on": published_on,
            "effective_at": effective_at,
        },
    )


def _static_fetcher():
    """This thread's URL fetcher, which reads only the portal's own static files.

    So rendering a PDF never reaches the network or the rest of the disk, whatever
    a notice refers to. Building it once per thread, not per render, also skips loading the
    system's CA certificates each time (a few per cent of a render).
    """
    if not hasattr(_per_thread, "fetcher"):
        from weasyprint.urls import URLFetcher

        class StaticFileFetcher(URLFetcher):
            def fetch(self, url, headers=None):
                parts = urlsplit(url)
                path = Path(url2pathname(parts.path)).resolve() if parts.scheme == "file" else None
                if path is None or not path.is_relative_to(STATIC_DIR.resolve()):
                    raise ValueError(f"a PDF may only use the portal's static files, not {url}")
                return super().fetch(url, headers)

        _per_thread.fetcher = StaticFileFetcher(allowed_protocols=("file",))
    return _per_thread.fetcher


def render_pdf(document: NoticeDocument, *, version_number: int, published_on, effective_at=None) -> bytes:
    """The PDF for one version, with the day it was published and the moment it is in force from.

    Any error WeasyPrint logs is raised as PdfRenderError: WeasyPrint reports
    PDF/UA problems (and missing resources) only by logging, so a logged error
    would otherwise ship an inaccessible PDF silently.
    """
    html = pdf_html(document, version_number=version_number, published_on=published_on, effective_at=effective_at)
    return _write_pdf(html)


def render_redaction_pdf(*, version_number: int, school_name: str, redacted_on) -> bytes:
    """The PDF that stands where a redacted version's PDF was."""
    context = {"version_number": version_number, "school_name": school_name, "redacted_on": redacted_on}
    return _write_pdf(render_to_string("notices/redaction_pdf.html", context))


def _write_pdf(html: str) -> bytes:
    from weasyprint import HTML

    collector = _ErrorCollector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        pdf = HTML(string=html, base_url=str(STATIC_DIR) + "/", url_fetcher=_static_fetcher()).write_pdf(
            pdf_variant="pdf/ua-1", finisher=_scope_table_headers
        )
    finally:
        logger.removeHandler(collector)
    if collector.messages:
        raise PdfRenderError("WeasyPrint reported: " + "; ".join(collector.messages))
    return pdf


def _scope_table_headers(_document, pdf):
    """Give each table header cell's structure element the /Scope (Column or Row) that PDF/UA-1 asks for.

    WeasyPrint 70 reads a <th>'s scope="row" only to link each data cell to its headers (/Headers and /ID);
    it writes no /Scope, and no /IDTree through which a reader could resolve those links, so PDF/UA checks
    find every header cell unscoped (Kozea/WeasyPrint#2508). Its links still tell the two kinds apart: a
    header that labels a cell of its own row is a row header, any other a column header, as WeasyPrint
    reads a <th> without scope="row". This runs on WeasyPrint's objects just before it writes the file.
    """
    elements = [obj for obj in pdf.objects if isinstance(obj, dict) and obj.get("Type") == "/StructElem"]
    headers = [element for element in elements if element["S"] == "/TH"]
    by_id = {header["ID"].string: header for header in headers if "ID" in header}
    row_headers = set()
    for cell in elements:
        if cell["S"] == "/TD":
            for key in cell["A"].get("Headers", ()):
                header = by_id.get(key.string)
                if header is not None and header["P"] == cell["P"]:
                    row_headers.add(header.number)
    for header in headers:
        header["A"].setdefault("Scope", "/Row" if header.number in row_headers else "/Column")
