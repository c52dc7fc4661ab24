"""A notice file -> blocks. Text and Markdown, HTML (as text only) and Word .docx.

Every refusal is an ImportRefused with one sentence a school can act on.
"""

import io
import re
import zipfile
from html.parser import HTMLParser
from pathlib import PurePath

from django.conf import settings

from notices.importing.blocks import HEADING, ITEM, PARAGRAPH, TABLE, Block, ImportRefused

# A real notice is a few hundred kilobytes unpacked; these bound what a crafted zip can make us inflate.
DOCX_MAX_ENTRIES = 1000
DOCX_MAX_UNPACKED_BYTES = 100 * 1024 * 1024

_MAGIC = {
    b"PK\x03\x04": "a zip archive (such as a Word .docx file)",
    b"%PDF": "a PDF",
    b"\xd0\xcf\x11\xe0": "an old binary Office file (such as a Word .doc)",
    b"{\\rtf": "a Rich Text (.rtf) file",
}
_BULLET = re.compile(r"^\s*[-•·*–▪●◦]\s+")
_NUMBERED = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2})*)[.)]?\s+(?=\S)")
_MD_HEADING = re.compile(r"^(#{1,6})\s+")
# Word's "save as text" keeps its bookmarks as "[bookmark: _GoBack]"; they are not the notice's words.
_BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")
_HEADING_MAX_WORDS = 12
# A line ending in one of these is a sentence cut short, never a heading ("To find out more, go to").
_OPEN_ENDINGS = {"to", "the", "a", "an", "of", "and", "or"}


def read(filename: str, data: bytes) -> list[Block]:
    """The blocks of the notice in `data`, a file called `filename`; ImportRefused if it cannot be read."""
    extension = PurePath(filename).suffix.lower()
    if extension == ".doc":
        raise ImportRefused("This is an old Word .doc file: save it as .docx first, then import that.")
    if extension == ".docm":
        raise ImportRefused("Macro-enabled Word files (.docm) are refused: save it as a plain .docx first.")
    reader = _READERS.get(extension)
    if reader is None:
        raise ImportRefused(f"'{filename}' is not a format we import: use .docx, .html, .htm, .txt or .md.")
    if not data.strip():
        raise ImportRefused(f"'{filename}' is empty.")
    if len(data) > settings.IMPORT_MAX_BYTES:
        limit = settings.IMPORT_MAX_BYTES / (1024 * 1024)
        raise ImportRefused(f"'{filename}' is larger than the {limit:g} MB limit for an imported notice.")
    blocks = [block for block in reader(filename, data) if block.text or block.rows]
    if not blocks:
        raise ImportRefused(f"'{filename}' has no text to import.")
    return blocks


def _refuse_binary(filename, data):
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise ImportRefused(f"'{filename}' does not match its extension: its content is {what}.")
    if b"\x00" in data[:4096]:
        raise ImportRefused(f"'{filename}' does not match its extension: its content is not text.")


def _decode(filename, data):
    _refuse_binary(filename, data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Word's "save as plain text" on Windows writes this code page.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportRefused(f"'{filename}' does not match its extension: it is not readable text.") from None


# Text and Markdown -------------------------------------------------------------------------------


def _read_text(filename, data):
    return text_blocks(_decode(filename, data))


def _ends_sentence(text):
    return text.rstrip().endswith((".", ":", ";", ",", "!", "?"))


def _looks_like_heading(text):
    words = text.split()
    return (
        0 < len(words) <= _HEADING_MAX_WORDS
        and (text[0].isupper() or text[0].isdigit())
        and not text.rstrip().endswith((".", ":", ";", ","))
        and "://" not in text
        and "@" not in text
        and words[-1].lower() not in _OPEN_ENDINGS
    )


def text_blocks(text: str) -> list[Block]:
    """Plain text (or Markdown) -> blocks, finding headings the way real notices write them.

    A heading is a short line without a closing full stop, a Markdown '#' line,
    or a numbered line like "3. Who we share information with" that is not part
    of a numbered list. A line starting in lower case carries on the paragraph
    or item before it, even across a blank line (a hard wrap in the original).
    """
    lines = [_BOOKMARK.sub("", line).strip() for line in text.splitlines()]
    blocks = []

    def numbered(i):
        return 0 <= i < len(lines) and bool(_NUMBERED.match(lines[i]))

    def next_text(i):
        return next((j for j in range(i + 1, len(lines)) if lines[j]), len(lines))

    def previous_text(i):
        return next((j for j in range(i - 1, -1, -1) if lines[j]), -1)

    open_block = False  # whether the last block may still take a wrapped line
    for i, line in enumerate(lines):
        if not line:
            continue
        last = blocks[-1] if blocks else None
        if (
            open_block
            and last.kind in (PARAGRAPH, ITEM)
            and line[0].islower()
            and not _ends_sentence(last.text)
            and not _BULLET.match(line)
        ):
            blocks[-1] = Block(last.kind, f"{last.text} {line}", ordered=last.ordered)
            continue
        if heading := _MD_HEADING.match(line):
            blocks.append(Block(HEADING, line[heading.end() :].strip(), level=len(heading.group(1))))
            open_block = False
        elif bullet := _BULLET.match(line):
            blocks.append(Block(ITEM, line[bullet.end() :].strip()))
            open_block = True
        elif number := _NUMBERED.match(line):
            rest = line[number.end() :].strip()
            in_list = numbered(previous_text(i)) or numbered(next_text(i))
            if _looks_like_heading(rest) and not in_list:
                blocks.append(Block(HEADING, rest, level=number.group(1).count(".") + 1))
                open_block = False
            else:
                blocks.append(Block(ITEM, rest, ordered=True))
                open_block = True
        elif _looks_like_heading(line) and next_text(i) < len(lines) and not lines[next_text(i)][0].islower():
            blocks.append(Block(HEADING, line, level=1))
            open_block = False
        else:
            blocks.append(Block(PARAGRAPH, line))
            open_block = True
    return blocks


# HTML --------------------------------------------------------------------------------------------

# Content of these elements is never a reader's text.
_SKIPPED = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object", "canvas", "select"}
_BREAKS = {"p", "div", "section", "article", "header", "footer", "main", "aside", "blockquote", "br", "dd", "dt"}
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_SPACE = re.compile(r"\s+")


class _Html(HTMLParser):
    """Keeps only text, in blocks; every tag and attribute (handlers, image sources, styles) is dropped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks, self.text, self.skipping = [], [], 0
        self.kind, self.level, self.lists = PARAGRAPH, 0, []
        self.table, self.row = None, None

    def flush(self):
        text = _SPACE.sub(" ", "".join(self.text)).strip()
        self.text = []
        if not text:
            return
        if self.row is not None:
            self.row.append(text)
        else:
            ordered = bool(self.lists) and self.lists[-1] == "ol"
            self.blocks.append(Block(self.kind, text, level=self.level, ordered=ordered and self.kind == ITEM))

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self.skipping += 1
        elif self.skipping:
            return
        elif tag in _HEADINGS:
            self.flush()
            self.kind, self.level = HEADING, _HEADINGS[tag]
        elif tag in ("ul", "ol"):
            self.flush()
            self.lists.append(tag)
        elif tag == "li":
            self.flush()
            self.kind, self.level = ITEM, 0
        elif tag == "table":
            self.flush()
            self.table = []
        elif tag == "tr" and self.table is not None:
            self.row = []
        elif tag in ("td", "th") or tag in _BREAKS:
            self.flush()

    def handle_endtag(self, tag):
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif self.skipping:
            return
        elif tag in _HEADINGS or tag == "li":
            self.flush()
            self.kind, self.level = (ITEM if self.lists else PARAGRAPH), 0
        elif tag in ("ul", "ol"):
            self.flush()
            if self.lists:
                self.lists.pop()
            self.kind = ITEM if self.lists else PARAGRAPH
        elif tag in ("td", "th"):
            self.flush()
        elif tag == "tr" and self.row is not None:
            self.flush()
            if self.row:
                self.table.append(tuple(self.row))
            self.row = None
        elif tag == "table" and self.table is not None:
            if self.table:
                self.blocks.append(Block(TABLE, rows=tuple(self.table)))
            self.table = None
        elif tag in _BREAKS:
            self.flush()

    def handle_data(self, data):
        if not self.skipping:
            self.text.append(data)


def _read_html(filename, data):
    text = _decode(filename, data)
    if not re.search(r"<\s*(html|body|p|div|h[1-6]|ul|ol|table)\b", text, re.IGNORECASE):
        raise ImportRefused(f"'{filename}' does not match its extension: it is not an HTML page.")
    parser = _Html()
    parser.feed(text)
    parser.close()
    parser.flush()
    return parser.blocks


# Word --------------------------------------------------------------------------------------------


def _open_docx(filename, data):
    if not data.startswith(b"PK\x03\x04"):
        _refuse_binary(filename, data)
        raise ImportRefused(f"'{filename}' does not match its extension: it is not a Word .docx file.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise ImportRefused(f"'{filename}' is corrupt or truncated: open it in Word and save it again.") from None
    # Checked before any entry is inflated. zipfile stops reading an entry at its
    # declared size (and fails its CRC check), so declared sizes bound the real ones.
    if len(entries) > DOCX_MAX_ENTRIES or sum(entry.file_size for entry in entries) > DOCX_MAX_UNPACKED_BYTES:
        raise ImportRefused(f"'{filename}' unpacks to far more than any notice: it was refused as unsafe.")
    names = {entry.filename for entry in entries}
    if "word/document.xml" not in names:
        raise ImportRefused(f"'{filename}' does not match its extension: it is not a Word .docx file.")
    if "word/vbaProject.bin" in names:
        raise ImportRefused(f"'{filename}' contains macros: save it as a plain .docx without macros first.")
    return archive


def _read_docx(filename, data):
    _open_docx(filename, data)
    # Imported here: only Word files need the library.
    import docx  # noqa: PLC0415

    try:
        document = docx.Document(io.BytesIO(data))
        return list(_docx_blocks(document))
    except Exception:  # a broken part can fail in the zip, the XML parser or python-docx itself
        raise ImportRefused(f"'{filename}' is corrupt or truncated: open it in Word and save it again.") from None


def _style_names(paragraph):
    """The paragraph's style name and those it is based on, lower case (a custom style may inherit a heading)."""
    names, style = [], paragraph.style
    while style is not None and len(names) < 10:
        names.append((style.name or "").lower())
        style = style.base_style
    return names


def _has_numbering(paragraph):
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.numPr is not None:
        return True
    style = paragraph.style
    while style is not None:
        style_ppr = style.element.pPr
        if style_ppr is not None and style_ppr.numPr is not None:
            return True
        style = style.base_style
    return False


def _bold_only(paragraph):
    runs = [run for run in paragraph.runs if run.text.strip()]
    return bool(runs) and all(
        run.bold or (run.bold is None and run.style is not None and run.style.font.bold) for run in runs
    )


def _paragraph_block(paragraph):
    text = _SPACE.sub(" ", paragraph.text).strip()
    if not text:
        return None
    names = _style_names(paragraph)
    for name in names:
        if name == "title":
            return Block(HEADING, text, level=1)
        if heading := re.fullmatch(r"heading (\d)", name):
            return Block(HEADING, text, level=int(heading.group(1)))
    if any(name.startswith("list number") for name in names):
        return Block(ITEM, text, ordered=True)
    if any(name.startswith(("list bullet", "list paragraph")) for name in names) or _has_numbering(paragraph):
        return Block(ITEM, text)
    if _bold_only(paragraph) and _looks_like_heading(text):
        return Block(HEADING, text, level=2)
    return Block(PARAGRAPH, text)


def _docx_blocks(document):
    from docx.table import Table  # noqa: PLC0415

    for part in document.iter_inner_content():
        if isinstance(part, Table):
            rows = []
            for row in part.rows:
                cells = []
                for cell in row.cells:
                    text = _SPACE.sub(" ", cell.text).strip()
                    # A merged cell is returned once per grid column it spans.
                    if not cells or cells[-1] != text:
                        cells.append(text)
                if any(cells):
                    rows.append(tuple(cells))
            if rows:
                yield Block(TABLE, rows=tuple(rows))
        elif block := _paragraph_block(part):
            yield block


_READERS = {".txt": _read_text, ".md": _read_text, ".html": _read_html, ".htm": _read_html, ".docx": _read_docx}
