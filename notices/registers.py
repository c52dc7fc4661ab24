"""The registers of a notice, declared once.

compose (rows -> document), apply (document -> rows), diff, the demo loader,
the admin and the tests iterate over REGISTERS, so a new register or a new
field is one change here (plus the model and the document dataclass).
"""

from dataclasses import dataclass, field
from functools import cached_property

from notices import document as doc
from notices.models import (
    DataCategory,
    ItemState,
    LawfulBasis,
    Purpose,
    Recipient,
    RetentionRule,
    Right,
    Section,
    System,
    is_free_text,
)

# A row's state as the document records its origin (hidden rows are not in a document).
ORIGINS = {ItemState.LOCAL: doc.SCHOOL, ItemState.INHERITED: doc.TRUST, ItemState.REPLACED: doc.OVERRIDDEN}
STATES = {origin: state for state, origin in ORIGINS.items()}


@dataclass(frozen=True)
class Register:
    attr: str  # the NoticeDocument attribute, e.g. "retention"
    related_name: str  # Notice.<related_name> holds the rows, e.g. "retention_rules"
    model: type
    item: type  # the document dataclass of one row
    heading: str  # what a reader calls this register (diffs)
    label: str  # the item field that names a row for a reader
    columns: tuple[str, ...]  # item fields stored as model columns of the same name
    # item field -> the model's choice column whose display text it freezes
    labels: dict[str, str] = field(default_factory=dict)
    # item field -> (model many-to-many field, register attr it points into), stored as the targets' uids
    refs: dict[str, tuple[str, str]] = field(default_factory=dict)
    # item field -> reader-facing name, in reading order: what diffs compare and show (codes never appear)
    reader_fields: dict[str, str] = field(default_factory=dict)
    # True where a notice may hold only one row per match_column value (one row per right).
    unique_match: bool = False

    def rows(self, notice):
        """The rows a reader sees: every row but the trust items the school hides."""
        return getattr(notice, self.related_name).exclude(state=ItemState.HIDDEN)

    @property
    def match_column(self):
        """The column that says which thing a row is about: what linking pairs a school row with a trust item by."""
        return self.label if self.label in self.columns else self.labels[self.label]

    @cached_property
    def texts(self):
        """The columns holding free text, where placeholders may appear (not choice codes or flags)."""
        return tuple(name for name in self.columns if is_free_text(self.model._meta.get_field(name)))

    def item_from_row(self, row, ref_uids, *, fill=None, origin=None):
        """The frozen document item of one row; `ref_uids` maps each ref field to its target uids in order.

        `fill` turns stored text into what readers see (placeholders filled);
        `origin` overrides the row's own (a template's rows are all trust items).
        """
        values = {name: getattr(row, name) for name in self.columns}
        if fill:
            values |= {name: fill(values[name]) for name in self.texts}
        values |= {
            name: getattr(row, f"get_{column}_display")() if getattr(row, column) else ""
            for name, column in self.labels.items()
        }
        values |= {name: tuple(ref_uids[name]) for name in self.refs}
        if origin is None:
            origin, template_uid = ORIGINS[row.state], str(row.template_uid or "")
        else:
            template_uid = str(row.uid)
        return self.item(uid=str(row.uid), origin=origin, template_uid=template_uid, **values)

    def values(self, item):
        """What an item says, for comparing two items: its columns and references, not its identity or order."""
        return {name: getattr(item, name) for name in (*self.columns, *self.refs)}


REGISTERS = (
    Register(
        attr="categories",
        related_name="categories",
        model=DataCategory,
        item=doc.Category,
        heading="The information we hold",
        label="name",
        columns=("name", "examples", "special", "source"),
        reader_fields={
            "name": "Information",
            "examples": "Examples",
            "special": "Special category data",
            "source": "Where it comes from",
        },
    ),
    Register(
        attr="bases",
        related_name="bases",
        model=LawfulBasis,
        item=doc.Basis,
        heading="Lawful bases",
        label="title",
        columns=("title", "article6", "article9", "legislation", "explanation", "legitimate_interest"),
        labels={"article6_label": "article6", "article9_label": "article9"},
        refs={"special_categories": ("special_categories", "categories")},
        reader_fields={
            "title": "Name",
            "article6_label": "Article 6 basis",
            "article9_label": "Article 9 condition",
            "special_categories": "Special category data covered",
            "legislation": "Law relied on",
            "explanation": "Why it applies",
            "legitimate_interest": "Legitimate interest",
        },
    ),
    Register(
        attr="purposes",
        related_name="purposes",
        model=Purpose,
        item=doc.Purpose,
        heading="Why we use it",
        label="name",
        columns=("name", "detail"),
        refs={"bases": ("bases", "bases")},
        reader_fields={"name": "What it is used for", "detail": "Detail", "bases": "Lawful bases"},
    ),
    Register(
        attr="systems",
        related_name="systems",
        model=System,
        item=doc.System,
        heading="Where we store it",
        label="name",
        columns=("name", "used_for", "supplier", "outside_uk", "safeguard"),
        reader_fields={
            "name": "System",
            "used_for": "Used for",
            "supplier": "Supplier",
            "outside_uk": "Data leaves the UK",
            "safeguard": "Safeguard",
        },
    ),
    Register(
        attr="retention",
        related_name="retention_rules",
        model=RetentionRule,
        item=doc.Retention,
        heading="How long we keep it",
        label="record_type",
        columns=("record_type", "period"),
        reader_fields={"record_type": "Records", "period": "How long we keep them"},
    ),
    Register(
        attr="recipients",
        related_name="recipients",
        model=Recipient,
        item=doc.Recipient,
        heading="Who we share it with",
        label="name",
        columns=("name", "reason", "sharing", "legal_basis", "outside_uk", "safeguard"),
        labels={"sharing_label": "sharing"},
        reader_fields={
            "name": "Who",
            "reason": "Why we share",
            "sharing_label": "When we share",
            "legal_basis": "Legal basis",
            "outside_uk": "Data leaves the UK",
            "safeguard": "Safeguard",
        },
    ),
    Register(
        attr="rights",
        related_name="rights",
        model=Right,
        item=doc.Right,
        heading="Your rights",
        label="label",
        columns=("right", "how_to_exercise"),
        labels={"label": "right"},
        reader_fields={"label": "Right", "how_to_exercise": "How to use it"},
        unique_match=True,
    ),
    Register(
        attr="sections",
        related_name="sections",
        model=Section,
        item=doc.Section,
        heading="Sections",
        label="heading",
        columns=("heading", "kind", "placement", "body"),
        reader_fields={"heading": "Heading", "body": "Text"},
    ),
)

BY_ATTR = {register.attr: register for register in REGISTERS}
BY_MODEL = {register.model: register for register in REGISTERS}
