"""Reads of a notice's draft history."""

from dataclasses import dataclass

from notices.registers import REGISTERS
from tenants.models import User


@dataclass(frozen=True)
class Edit:
    part: str
    label: str
    by: str
    at: object  # datetime
    kind: str  # "added", "changed" or "deleted"


_KINDS = {"+": "added", "~": "changed", "-": "deleted"}


def edits_since(notice, when):
    """Every saved edit of `notice` or its register rows after `when`, oldest first (stale-form check)."""
    rows = [("Notice details", str(h), h) for h in notice.history.filter(history_date__gt=when)]
    for register in REGISTERS:
        history = register.model.history.filter(notice_id=notice.pk, history_date__gt=when)
        rows += [(register.heading, str(h.instance), h) for h in history]
    names = dict(User.objects.filter(pk__in={h.history_user_id for _, _, h in rows}).values_list("pk", "email"))
    edits = [
        Edit(part, label, names.get(h.history_user_id, "someone"), h.history_date, _KINDS[h.history_type])
        for part, label, h in rows
    ]
    return sorted(edits, key=lambda e: e.at)
