"""NoticeDocument -> semantic HTML. Rich text is sanitised here and nowhere else."""

import html
import re
from dataclasses import dataclass

import markdown
import nh3
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from notices.document import NoticeDocument, Section
from notices.models import Placement

_ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "h3", "h4", "br"}
_ALLOWED_ATTRIBUTES = {"a": {"href"}}
_URL_SCHEMES = {"https", "http", "mailto", "tel"}
_HEADING = re.compile(r"^(#{1,6})[ \t]+", re.MULTILINE)


def _demote_headings(text):
    # A section body sits under the section's <h2>, so its own headings start at <h3>.
    return _HEADING.sub(lambda m: "#### " if len(m.group(1)) >= 4 else "### ", text)


def render_markdown(text: str) -> SafeString:
    """The safe Markdown subset -> sanitised HTML. The single place rich text is trusted."""
    html = markdown.markdown(_demote_headings(text), output_format="html")
    return mark_safe(nh3.clean(html, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES, url_schemes=_URL_SCHEMES))  # noqa: S308 - sanitised by nh3 / our own rendering, see docstring


def markdown_as_text(text: str) -> str:
    """What a reader sees of a section body, for word-by-word comparison."""
    return html.unescape(nh3.clean(str(render_markdown(text)), tags=set())).strip()


@dataclass(frozen=True)
class Part:
    """One <h2> of the notice, in reading order."""

    anchor: str
    heading: str
    register: str = ""  # which register this part shows, "" for a narrative section
    section: Section | None = None
    body: SafeString | None = None


_REGISTER_PARTS = [
    ("summary", "At a glance", None),
    ("who-we-are", "Who we are", Placement.START),
    ("categories", "The information we hold", Placement.AFTER_CATEGORIES),
    ("purposes", "Why we use it and our lawful basis", Placement.AFTER_PURPOSES),
    ("storing", "How we store it and how long we keep it", Placement.AFTER_STORAGE),
    ("sharing", "Who we share it with", Placement.AFTER_SHARING),
    ("rights", "Your rights", Placement.AFTER_RIGHTS),
    ("contact", "Contact us", Placement.END),
]


def notice_parts(document: NoticeDocument) -> list[Part]:
    """The notice's parts in DfE model order, each section placed after its register."""
    # Every fixed id is taken before any section heading is turned into one.
    used = {register for register, _, _ in _REGISTER_PARTS} | {"top", "contents-heading"}

    def anchor_for(heading):
        base = slugify(heading) or "section"
        anchor, n = base, 2
        while anchor in used:
            anchor, n = f"{base}-{n}", n + 1
        used.add(anchor)
        return anchor

    parts = []
    for register, heading, placement_after in _REGISTER_PARTS:
        parts.append(Part(anchor=register, heading=heading, register=register))
        if placement_after is None:
            continue
        for section in document.sections:
            if section.placement == placement_after:
                parts.append(
                    Part(
                        anchor=anchor_for(section.heading),
                        heading=section.heading,
                        section=section,
                        body=render_markdown(section.body),
                    )
                )
    return parts


def render_notice_html(document: NoticeDocument) -> str:
    """The notice as an <article>: one <h1>, the summary first, contents, then every part."""
    bases = document.basis_by_uid()
    purposes = [(purpose, [bases[uid] for uid in purpose.bases if uid in bases]) for purpose in document.purposes]
    categories = document.category_by_uid()
    # Each basis with the names of the special categories it covers, as a reader sees them.
    bases_shown = [
        (b, [categories[uid].name for uid in b.special_categories if uid in categories]) for b in document.bases
    ]
    return render_to_string(
        "notices/document.html",
        {"doc": document, "parts": notice_parts(document), "purposes": purposes, "bases": bases_shown},
    )


def published_html(version) -> SafeString:
    """A published version's stored HTML, exactly as publish_notice rendered it.

    That HTML is render_notice_html's own output (escaped template text and
    render_markdown's sanitised fragments), so it is trusted as it stands.
    """
    return mark_safe(version.html)  # noqa: S308 - sanitised by nh3 / our own rendering, see docstring
