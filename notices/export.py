"""The public JSON export (/privacy/<slug>.json): an explicit, documented API with its own version.

It is built field by field from the frozen document, never dumped from the
storage format, so a new internal field of the document changes nothing here
until it is added on purpose (with EXPORT_VERSION raised when a field changes
meaning or goes away). docs/json-export.md describes every field.
"""

from django.utils import timezone

from notices.document import NoticeDocument
from notices.registers import REGISTERS

EXPORT_VERSION = 1

_FIELDS = {
    "contact": ("name", "role", "email", "phone"),
    "controller": ("name", "address", "ico_registration", "dpo_name", "dpo_email", "complaints_contact"),
    "school": ("name", "slug", "urn", "address", "headteacher", "contact_email"),
    "categories": ("uid", "name", "examples", "special", "source"),
    "bases": (
        "uid",
        "title",
        "article6",
        "article6_label",
        "article9",
        "article9_label",
        "special_categories",
        "legislation",
        "explanation",
        "legitimate_interest",
    ),
    "purposes": ("uid", "name", "detail", "bases"),
    "systems": ("uid", "name", "used_for", "supplier", "outside_uk", "safeguard"),
    "retention": ("uid", "record_type", "period"),
    "recipients": ("uid", "name", "reason", "sharing", "sharing_label", "legal_basis", "outside_uk", "safeguard"),
    "rights": ("uid", "right", "label", "how_to_exercise"),
    "sections": ("uid", "heading", "kind", "placement", "body"),
}
_TOP = ("title", "slug", "audience", "audience_label", "summary", "review_by")


def _pick(obj, names):
    return {name: list(v) if isinstance(v := getattr(obj, name), tuple) else v for name in names}


# Where each item came from (added to export 1; nothing existing changed meaning).
_ORIGIN = ("origin",)


def _item(item, names):
    data = _pick(item, (*names, *_ORIGIN))
    if item.template_uid:
        data["template_uid"] = item.template_uid
    return data


def export_document(document: NoticeDocument) -> dict:
    data = _pick(document, _TOP)
    for part in ("contact", "controller", "school"):
        data[part] = _pick(getattr(document, part), _FIELDS[part])
    ref = document.template
    data["template"] = {"slug": ref.slug, "title": ref.title, "release": ref.release} if ref.release else None
    categories = document.category_by_uid()
    for register in REGISTERS:
        data[register.attr] = [_item(item, _FIELDS[register.attr]) for item in getattr(document, register.attr)]
    for basis in data["bases"]:
        # Export 1 names the special categories a basis covers, as it always has.
        basis["special_categories"] = [categories[uid].name for uid in basis["special_categories"] if uid in categories]
    return data


def _dates(version):
    # Added to export 1 with effective dates: in force from, and whether that is still to come.
    return {
        "published_at": version.published_at.isoformat(),
        "effective_at": version.effective_at.isoformat(),
        "upcoming": version.effective_at > timezone.now(),
    }


def export_version(version) -> dict:
    """The export of one published (not withdrawn) version."""
    return {
        "export_version": EXPORT_VERSION,
        "school": version.document["school"]["slug"],
        "notice": version.document["slug"],
        "version": version.number,
        **_dates(version),
        "summary": version.summary,
        "material": version.material,
        "pdf_sha256": version.pdf_sha256,
        "document": export_document(NoticeDocument.from_dict(version.document)),
    }


def export_current(version) -> dict:
    """/privacy/<slug>.json: the version in force, and the versions published to take effect later, in full."""
    return {**export_version(version), "upcoming_versions": [export_version(u) for u in version.upcoming]}
