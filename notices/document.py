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

SCHEMA_VERSION = 2


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
class Category:
    uid: str
    name: str
    examples: str
    special: bool
    source: str


@dataclass(frozen=True)
class Basis:
    uid: str
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
class Purpose:
    uid: str
    name: str
    detail: str
    bases: tuple[str, ...]  # uids of Basis items


@dataclass(frozen=True)
class System:
    uid: str
    name: str
    used_for: str
    supplier: str
    outside_uk: bool
    safeguard: str


@dataclass(frozen=True)
class Retention:
    uid: str
    record_type: str
    period: str


@dataclass(frozen=True)
class Recipient:
    uid: str
    name: str
    reason: str
    sharing: str
    sharing_label: str
    legal_basis: str
    outside_uk: bool
    safeguard: str


@dataclass(frozen=True)
class Right:
    uid: str
    right: str
    label: str
    how_to_exercise: str


@dataclass(frozen=True)
class Section:
    uid: str
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


# UPGRADES[n] turns a schema-n document into a schema n+1 one. Append, never edit.
UPGRADES = {1: _special_categories_by_uid}


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
