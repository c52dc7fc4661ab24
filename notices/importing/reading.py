"""A notice file -> blocks. Text and Markdown, HTML (as text only), Word .docx, OpenDocument .odt and PDF.

Every refusal is an ImportRefused with one sentence a school can act on.
"""

import io
import re
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
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
        raise ImportRefused(f"'{filename}' is not a format we import: use .docx, .odt, .pdf, .html, .htm, .txt or .md.")
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


def _open_zip(filename, data, what, app):
    """`data` as a zip archive, refused before any entry is inflated if it could unpack to far more than a notice."""
    if not data.startswith(b"PK\x03\x04"):
        _refuse_binary(filename, data)
        raise ImportRefused(f"'{filename}' does not match its extension: it is not {what}.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise ImportRefused(f"'{filename}' is corrupt or truncated: open it in {app} and save it again.") from None
    # zipfile stops reading an entry at its declared size (and fails its CRC check), so declared sizes bound the
    # real ones.
    if len(entries) > DOCX_MAX_ENTRIES or sum(entry.file_size for entry in entries) > DOCX_MAX_UNPACKED_BYTES:
        raise ImportRefused(f"'{filename}' unpacks to far more than any notice: it was refused as unsafe.")
    return archive


def _open_docx(filename, data):
    archive = _open_zip(filename, data, "a Word .docx file", "Word")
    names = {entry.filename for entry in archive.infolist()}
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


# PDF ---------------------------------------------------------------------------------------------

# Lines further apart than this many font sizes (top to top) start a new block: a paragraph's own lines sit
# about 1.2 apart, the space between paragraphs or list items adds at least half a line more.
_PDF_BLOCK_GAP = 1.6
# A gap of this many font sizes between two words on a line separates the cells of a table without rules.
_PDF_CELL_GAP = 2.0
# Page furniture is looked for among this many lines at the top and at the bottom of each page.
_PDF_EDGE_LINES = 2
# PDFs seldom hold space characters: a gap wider than this many font sizes between letters is a space.
_PDF_SPACE_GAP = 0.15
_BROKEN_WORD = re.compile(r"(/|\w-)$")
# Three digits at most: a wrapped line holding only "1996" is the end of "Education Act 1996", not a page number.
_PAGE_NUMBER = re.compile(r"(page\s*)?\d{1,3}(\s*(of|/)\s*\d{1,3})?", re.IGNORECASE)


@dataclass
class _PdfLine:
    text: str
    top: float
    size: float
    bold: bool
    cells: list  # (x0, text) of each stretch of words, split at wide gaps


def _read_pdf(filename, data):
    if not data.startswith(b"%PDF"):
        _refuse_binary(filename, data)
        raise ImportRefused(f"'{filename}' does not match its extension: it is not a PDF.")
    # Imported here: only PDF files need the library.
    import pdfplumber  # noqa: PLC0415
    from pdfminer.pdfdocument import PDFPasswordIncorrect  # noqa: PLC0415

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [_pdf_page(page) for page in pdf.pages]
    except Exception as error:  # pdfminer reports a broken file from wherever it notices, with many error types
        if isinstance(error, PDFPasswordIncorrect) or isinstance(error.__cause__, PDFPasswordIncorrect):
            raise ImportRefused(f"'{filename}' is password-protected: remove the password and try again.") from None
        raise ImportRefused(
            f"'{filename}' is corrupt or truncated: export it as a PDF again and import that."
        ) from None
    if not any(line.text for lines, _ in pages for line in lines):
        raise ImportRefused(
            f"'{filename}' has no text layer (it looks like a scan): export a PDF from the original document instead."
        )
    return _pdf_blocks(_without_furniture(pages))


def _pdf_page(page):
    """The page's text lines outside its ruled tables, and its tables, each as (top, rows)."""
    tables = page.find_tables()
    boxes = [table.bbox for table in tables]
    rows = [(table.bbox[1], table.extract()) for table in tables]

    def outside_tables(obj):
        if obj.get("object_type") != "char":
            return True
        middle_x, middle_y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= middle_x <= x1 and top <= middle_y <= bottom for x0, top, x1, bottom in boxes)

    lines = []
    for line in page.filter(outside_tables).extract_text_lines(return_chars=True):
        chars = [char for char in line["chars"] if char["text"].strip()]
        if not chars:
            continue
        sizes = Counter(round(char["size"], 1) for char in chars)
        lines.append(
            _PdfLine(
                text=_SPACE.sub(" ", line["text"]).strip(),
                top=line["top"],
                size=sizes.most_common(1)[0][0],
                bold=all("bold" in char["fontname"].lower() or "black" in char["fontname"].lower() for char in chars),
                cells=_cells(line["chars"], sizes.most_common(1)[0][0]),
            )
        )
    return lines, rows


def _cells(chars, size):
    cells, text, start, end = [], [], None, None
    for char in chars:
        if end is not None and char["x0"] - end > _PDF_CELL_GAP * size:
            cells.append((start, _SPACE.sub(" ", "".join(text)).strip()))
            text, start = [], None
        elif end is not None and char["x0"] - end > _PDF_SPACE_GAP * size:
            text.append(" ")
        if start is None:
            start = char["x0"]
        text.append(char["text"])
        end = char["x1"]
    cells.append((start, _SPACE.sub(" ", "".join(text)).strip()))
    return [cell for cell in cells if cell[1]]


def _furniture_key(line):
    # Running headers and footers sit at the same height on every page; only their page numbers change.
    return re.sub(r"\d+", "#", line.text.lower()), round(line.top)


def _without_furniture(pages):
    """Pages less the running headers, footers and page numbers that repeat at the edges of most pages."""

    def edges(lines):
        return lines[:_PDF_EDGE_LINES] + lines[-_PDF_EDGE_LINES:]

    seen = Counter(key for lines, _ in pages for key in {_furniture_key(line) for line in edges(lines)})
    repeated = {key for key, count in seen.items() if count >= 2 and count * 2 >= len(pages)}

    def furniture(line, lines):
        if line not in edges(lines):
            return False
        # A lone page number is furniture even where nothing repeats, as on a one-page notice.
        return _furniture_key(line) in repeated or (line in (lines[0], lines[-1]) and _PAGE_NUMBER.fullmatch(line.text))

    return [([line for line in lines if not furniture(line, lines)], tables) for lines, tables in pages]


def _pdf_blocks(pages):
    body = Counter()
    for lines, _ in pages:
        for line in lines:
            body[line.size] += len(line.text)
    body_size = body.most_common(1)[0][0] if body else 0
    heading_sizes = sorted(
        {line.size for lines, _ in pages for line in lines if line.size > body_size * 1.1}, reverse=True
    )

    def heading_level(line):
        if line.size in heading_sizes:
            return heading_sizes.index(line.size) + 1
        if line.bold and _looks_like_heading(line.text):
            return len(heading_sizes) + 1
        return 0

    blocks, paragraphs = [], []  # paragraphs: the text waiting for text_blocks, one string per block

    def flush_text():
        if paragraphs:
            blocks.extend(text_blocks("\n\n".join(paragraphs)))
            paragraphs.clear()

    previous = None  # the line before, on this page or at the foot of the one before
    for lines, tables in pages:
        items = sorted(
            [(line.top, "line", line) for line in lines] + [(top, "table", rows) for top, rows in tables],
            key=lambda item: item[0],
        )
        page_start = True
        grid = None  # a table without rules being gathered: (column starts, rows)
        for index, (_, what, thing) in enumerate(items):
            if what == "table":
                flush_text()
                grid = _flush_grid(grid, blocks)
                rows = tuple(tuple(_SPACE.sub(" ", cell or "").strip() for cell in row) for row in thing)
                if any(any(row) for row in rows):
                    blocks.append(Block(TABLE, rows=tuple(row for row in rows if any(row))))
                previous = None
                continue
            line = thing
            following = [item[2] for item in items[index + 1 : index + 3] if item[1] == "line"]
            if grid is not None and _continues_grid(grid, line):
                _add_to_grid(grid, line)
                previous = line
                continue
            grid = _flush_grid(grid, blocks)
            if _starts_grid(line, following):
                flush_text()
                grid = [[x0 for x0, _ in line.cells], [[text for _, text in line.cells]], line]
                previous = line
                continue
            level = heading_level(line)
            new_block = (
                previous is None
                or level != heading_level(previous)
                or bool(_BULLET.match(line.text))
                or (bool(_NUMBERED.match(line.text)) and not level)
                # Over a page break a paragraph goes on only if its next line plainly carries on the sentence.
                or (page_start and not line.text[0].islower())
                or (not page_start and line.top - previous.top > _PDF_BLOCK_GAP * max(line.size, previous.size))
            )
            if new_block or not paragraphs:
                paragraphs.append(f"{'#' * level} {line.text}" if level else line.text)
            else:
                # A line broken after a slash or a word's hyphen is one word: a web address, "attendance/absences",
                # "well-being".
                paragraphs[-1] += line.text if _BROKEN_WORD.search(paragraphs[-1]) else f" {line.text}"
            previous, page_start = line, False
        grid = _flush_grid(grid, blocks)
    flush_text()
    return blocks


def _aligned(x, starts, size):
    return any(abs(x - start) <= size for start in starts)


def _starts_grid(line, following):
    """Whether `line` heads a table without rules: it and the next lines have the same two or more columns."""
    if len(line.cells) < 2 or len(following) < 1:
        return False
    starts = [x0 for x0, _ in line.cells]
    return all(
        len(other.cells) == len(starts)
        and all(abs(x0 - start) <= line.size for (x0, _), start in zip(other.cells, starts, strict=True))
        for other in following[:1]
    )


def _continues_grid(grid, line):
    starts, _, last = grid
    if line.top - last.top > _PDF_BLOCK_GAP * 2 * line.size:
        return False
    return (
        len(line.cells) >= 1
        and all(_aligned(x0, starts, line.size) for x0, _ in line.cells)
        and (len(line.cells) == len(starts) or line.cells[0][0] > starts[0] + line.size)
    )


def _add_to_grid(grid, line):
    """A full row starts a new row; a line with only some columns is the wrapped rest of the row before."""
    starts, rows, _ = grid
    if len(line.cells) == len(starts):
        rows.append([text for _, text in line.cells])
    else:
        for x0, text in line.cells:
            column = min(range(len(starts)), key=lambda n: abs(starts[n] - x0))
            rows[-1][column] = f"{rows[-1][column]} {text}".strip()
    grid[2] = line


def _flush_grid(grid, blocks):
    if grid is not None:
        blocks.append(Block(TABLE, rows=tuple(tuple(row) for row in grid[1])))
    return None


# OpenDocument ------------------------------------------------------------------------------------

_ODF = {
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
}
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# Not the notice's words: comments, the computed number of a heading or list item (a heading number stays out of
# its text as in Word), and text that tracked changes deleted.
_ODT_SKIPPED = {
    f"{{{_ODF['office']}}}annotation",
    f"{{{_ODF['office']}}}annotation-end",
    f"{{{_ODF['text']}}}number",
    f"{{{_ODF['text']}}}tracked-changes",
    f"{{{_ODF['text']}}}note-citation",
}


def _odf(name):
    prefix, local = name.split(":")
    return f"{{{_ODF[prefix]}}}{local}"


def _read_odt(filename, data):
    archive = _open_zip(filename, data, "an OpenDocument .odt file", "your word processor")
    names = {entry.filename for entry in archive.infolist()}
    if "content.xml" not in names:
        raise ImportRefused(f"'{filename}' does not match its extension: it is not an OpenDocument .odt file.")
    if any(name.startswith(("Basic/", "Scripts/")) for name in names):
        raise ImportRefused(f"'{filename}' contains macros: save a copy without macros first, then import that.")
    # Imported here: only OpenDocument files need the parser.
    from lxml import etree  # noqa: PLC0415

    # No entity is expanded and nothing is fetched, so neither an entity bomb nor an external entity can act.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        if "mimetype" in names and archive.read("mimetype").strip() != _ODT_MIMETYPE:
            raise ImportRefused(f"'{filename}' does not match its extension: it is not an OpenDocument text file.")
        root = etree.fromstring(archive.read("content.xml"), parser)
    except (zipfile.BadZipFile, EOFError, ValueError, etree.XMLSyntaxError, zlib.error):
        raise ImportRefused(
            f"'{filename}' is corrupt or truncated: open it in your word processor and save it again."
        ) from None
    # No word processor writes a DOCTYPE into content.xml; one that is there only carries entities, which we refuse
    # rather than import as literal "&name;" text.
    if root.getroottree().docinfo.internalDTD is not None:
        raise ImportRefused(f"'{filename}' declares its own XML entities: it was refused as unsafe.")
    text = root.find(f"{_odf('office:body')}/{_odf('office:text')}")
    if text is None:
        raise ImportRefused(f"'{filename}' does not match its extension: it is not an OpenDocument text file.")
    return list(_odt_blocks(text, _odt_styles(root)))


def _odt_styles(root):
    """The automatic styles: which are bold, and which list styles number their items."""
    bold, numbered = set(), set()
    for style in root.iter(_odf("style:style")):
        properties = style.find(_odf("style:text-properties"))
        if properties is not None and properties.get(_odf("fo:font-weight")) in ("bold", "600", "700", "800", "900"):
            bold.add(style.get(_odf("style:name")))
    for list_style in root.iter(_odf("text:list-style")):
        first = next(iter(list_style), None)
        if first is not None and first.tag == _odf("text:list-level-style-number"):
            numbered.add(list_style.get(_odf("style:name")))
    return bold, numbered


def _odt_text(element):
    """The words of a paragraph or heading, with ODF's encoded spaces, tabs and line breaks as spaces."""
    parts = [element.text or ""]
    for child in element:
        if child.tag in _ODT_SKIPPED:
            pass
        elif child.tag in (_odf("text:s"), _odf("text:tab"), _odf("text:line-break")):
            parts.append(" ")
        else:
            parts.append(_odt_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _odt_bold_only(paragraph, bold):
    if paragraph.get(_odf("text:style-name")) in bold:
        return True
    spans = [child for child in paragraph if child.tag == _odf("text:span") and _odt_text(child).strip()]
    loose = (paragraph.text or "").strip() or any((child.tail or "").strip() for child in paragraph)
    return bool(spans) and not loose and all(span.get(_odf("text:style-name")) in bold for span in spans)


def _odt_blocks(element, styles, *, ordered=None):
    """Blocks of the body in document order; `ordered` is set inside a list (True for a numbered one)."""
    bold, numbered = styles
    for child in element:
        if child.tag == _odf("text:h"):
            level = int(child.get(_odf("text:outline-level"), "1") or 1)
            yield Block(HEADING, _SPACE.sub(" ", _odt_text(child)).strip(), level=level)
        elif child.tag == _odf("text:p"):
            text = _SPACE.sub(" ", _odt_text(child)).strip()
            if ordered is not None:
                yield Block(ITEM, text, ordered=ordered)
            elif _odt_bold_only(child, bold) and _looks_like_heading(text):
                yield Block(HEADING, text, level=2)
            else:
                yield Block(PARAGRAPH, text)
        elif child.tag == _odf("text:list"):
            style = child.get(_odf("text:style-name"))
            inner = (style in numbered) if style else bool(ordered)
            yield from _odt_blocks(child, styles, ordered=inner)
        elif child.tag in (_odf("text:list-item"), _odf("text:list-header")):
            yield from _odt_blocks(child, styles, ordered=bool(ordered))
        elif child.tag == _odf("table:table"):
            rows = []
            for row in child.iter(_odf("table:table-row")):
                cells = tuple(
                    _SPACE.sub(" ", " ".join(_odt_text(p) for p in cell.iter(_odf("text:p"), _odf("text:h")))).strip()
                    for cell in row
                    if cell.tag == _odf("table:table-cell")
                )
                if any(cells):
                    rows.append(cells)
            if rows:
                yield Block(TABLE, rows=tuple(rows))
        elif child.tag not in _ODT_SKIPPED:  # sections, frames and the like hold more of the body
            yield from _odt_blocks(child, styles, ordered=ordered)


_READERS = {
    ".txt": _read_text,
    ".md": _read_text,
    ".html": _read_html,
    ".htm": _read_html,
    ".docx": _read_docx,
    ".odt": _read_odt,
    ".pdf": _read_pdf,
}
