"""Notice HTML -> tagged PDF/UA-1 with WeasyPrint.

WeasyPrint is imported inside render_pdf: it is slow to import and only the
publishing process needs it, never a web request.
"""

import logging
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from notices.document import NoticeDocument
from notices.rendering import render_notice_html

STATIC_DIR = Path(settings.BASE_DIR) / "static"


class PdfRenderError(Exception):
    pass


class _ErrorCollector(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def pdf_html(document: NoticeDocument, *, version_number: int, published_on) -> str:
    return render_to_string(
        "notices/pdf.html",
        {
            "doc": document,
            "article": render_notice_html(document),
            "version_number": version_number,
            "published_on": published_on,
        },
    )


def render_pdf(document: NoticeDocument, *, version_number: int, published_on) -> bytes:
    """The PDF for one version. Any error WeasyPrint logs is raised as PdfRenderError.

    WeasyPrint reports PDF/UA problems (and missing resources) only by logging,
    so a logged error would otherwise ship an inaccessible PDF silently.
    """
    from weasyprint import HTML

    collector = _ErrorCollector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        pdf = HTML(
            string=pdf_html(document, version_number=version_number, published_on=published_on),
            base_url=str(STATIC_DIR) + "/",
        ).write_pdf(pdf_variant="pdf/ua-1")
    finally:
        logger.removeHandler(collector)
    if collector.messages:
        raise PdfRenderError("WeasyPrint reported: " + "; ".join(collector.messages))
    return pdf
