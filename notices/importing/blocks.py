"""The plain structure every reader produces and the mapping reads: a list of blocks in reading order."""

from dataclasses import dataclass

HEADING, PARAGRAPH, ITEM, TABLE = "heading", "paragraph", "item", "table"


@dataclass(frozen=True)
class Block:
    kind: str  # HEADING, PARAGRAPH, ITEM or TABLE
    text: str = ""
    level: int = 0  # a heading's level, 1 the highest
    ordered: bool = False  # an item of a numbered list
    rows: tuple[tuple[str, ...], ...] = ()  # a table's cells, the first row as written (often its header)


class ImportRefused(Exception):
    """The file cannot be imported; the message is one sentence for the person who gave it."""
