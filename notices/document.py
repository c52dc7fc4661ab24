"""The notice document: the plain, immutable value every output is made from.

compose.py builds it from the content models; rendering.py, pdf.py, checks.py,
diff.py and the JSON export (export.py) read only this; a published version
stores it as JSON. Labels (e.g. "Article 6(1)(e): public task") are frozen into
it, so a published version reads the same even if the wording of a choice
changes later.

Stored documents are never rewritten, so the shape is versioned: every change
to it raises SCHEMA_VERSION and adds one step to UPGRADES, which from_dict
runs at read time. notices/tests/fixtures/ keeps a frozen document of every
earlier schema, and a test upgrades each one.
"""

import dataclasses
import datetime
import json
import typing
from dataclasses import dataclass

SCHEMA_VERSION = 3


@dataclass(frozen=True)
class Contact:
    name: str
    role: str
    email: str
    phone: str


@dataclass(frozen=True)
class Controller:
    name: str
    address: str
    ico_registration: str
    dpo_name: str
    dpo_email: str
    complaints_contact: str


@dataclass(frozen=True)
class SchoolInfo:
    name: str
    slug: str
    urn: str
    address: str
    headteacher: str
    contact_email: str


@dataclass(frozen=True)
class TemplateRef:
    """The trust template release a school's document was composed from; empty (release 0) when it follows none."""

    slug: str
    title: str
    release: int


# Where an item came from (schema 3): inherited unchanged, a trust item the
# school replaced, or the school's own.
TRUST, OVERRIDDEN, SCHOOL = "trust", "overridden", "school"


@dataclass(frozen=True)
class Item:
    uid: str
    origin: str = dataclasses.field(default=SCHOOL, kw_only=True)  # TRUST, OVERRIDDEN or SCHOOL
    # The trust item's uid, the same in every school's document; "" for the school's own.
    template_uid: str = dataclasses.field(default="", kw_only=True)


@dataclass(frozen=True)
class Category(Item):
    name: str
    examples: str
    special: bool
    source: str


@dataclass(frozen=True)
class Basis(Item):
    title: str
    article6: str
    article6_label: str
    article9: str
    article9_label: str
    special_categories: tuple[str, ...]  # uids of Category items (schema 2; names in schema 1)
    legislation: str
    explanation: str
    legitimate_interest: str


@dataclass(frozen=True)
class Purpose(Item):
    name: str
    detail: str
    bases: tuple[str, ...]  # uids of Basis items


@dataclass(frozen=True)
class System(Item):
    name: str
    used_for: str
    supplier: str
    outside_uk: bool
    safeguard: str


@dataclass(frozen=True)
class Retention(Item):
    record_type: str
    period: str


@dataclass(frozen=True)
class Recipient(Item):
    name: str
    reason: str
    sharing: str
    sharing_label: str
    legal_basis: str
    outside_uk: bool
    safeguard: str


@dataclass(frozen=True)
class Right(Item):
    right: str
    label: str
    how_to_exercise: str


@dataclass(frozen=True)
class Section(Item):
    heading: str
    kind: str
    placement: str
    body: str  # the safe Markdown subset; rendered by rendering.render_markdown


@dataclass(frozen=True)
class NoticeDocument:
    schema: int
    title: str
    slug: str
    audience: str
    audience_label: str
    summary: str
    review_by: str  # ISO date
    contact: Contact
    controller: Controller
    school: SchoolInfo
    # The release composed from (schema 3); none for a notice that follows no template.
    template: TemplateRef = dataclasses.field(default=TemplateRef("", "", 0), kw_only=True)
    categories: tuple[Category, ...]
    bases: tuple[Basis, ...]
    purposes: tuple[Purpose, ...]
    systems: tuple[System, ...]
    retention: tuple[Retention, ...]
    recipients: tuple[Recipient, ...]
    rights: tuple[Right, ...]
    sections: tuple[Section, ...]

    def to_dict(self):
        return dataclasses.asdict(self)

    def to_json(self):
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data):
        """The document stored as `data`, upgraded to the current schema first if it is older."""
        return _build(cls, upgrade(data))

    @classmethod
    def from_json(cls, text):
        return cls.from_dict(json.loads(text))

    def review_by_date(self):
        return datetime.date.fromisoformat(self.review_by)

    def basis_by_uid(self):
        return {basis.uid: basis for basis in self.bases}

    def category_by_uid(self):
        return {category.uid: category for category in self.categories}


def _special_categories_by_uid(data):
    """Schema 1 -> 2: a basis names the special categories it covers by uid, as purposes name bases."""
    uids = {category["name"]: category["uid"] for category in data["categories"]}
    bases = [
        {**basis, "special_categories": [uids[name] for name in basis["special_categories"] if name in uids]}
        for basis in data["bases"]
    ]
    return {**data, "bases": bases}


# Frozen with the step: a register added later is not part of a schema 2 document.
_ITEM_LISTS = ("categories", "bases", "purposes", "systems", "retention", "recipients", "rights", "sections")


def _origins(data):
    """Schema 2 -> 3: every item was the school's own, and no document followed a trust template."""
    items = {name: [{**item, "origin": SCHOOL, "template_uid": ""} for item in data[name]] for name in _ITEM_LISTS}
    return {**data, **items, "template": {"slug": "", "title": "", "release": 0}}


# UPGRADES[n] turns a schema-n document into a schema n+1 one. Append, never edit.
UPGRADES = {1: _special_categories_by_uid, 2: _origins}


def upgrade(data):
    """`data` (a stored document of any schema) in the current schema, as a new dict."""
    schema = data.get("schema") if isinstance(data, dict) else None
    if type(schema) is not int or not 1 <= schema <= SCHEMA_VERSION:
        raise ValueError(f"Unsupported notice document schema {schema!r}")
    while schema < SCHEMA_VERSION:
        data = {**UPGRADES[schema](data), "schema": schema + 1}
        schema += 1
    return data


def _build(cls, data):
    hints = typing.get_type_hints(cls)
    values = {}
    for field in dataclasses.fields(cls):
        hint, value = hints[field.name], data[field.name]
        if dataclasses.is_dataclass(hint):
            value = _build(hint, value)
        elif typing.get_origin(hint) is tuple:
            (item_type, _) = typing.get_args(hint)
            value = tuple(_build(item_type, v) if dataclasses.is_dataclass(item_type) else v for v in value)
        values[field.name] = value
    return cls(**values)
