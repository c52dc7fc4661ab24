"""What changed between two notice documents: register items and word-level text."""

import dataclasses
import difflib
from dataclasses import dataclass, field

from notices.document import NoticeDocument
from notices.registers import BY_ATTR, REGISTERS
from notices.rendering import markdown_as_text

# Equal runs longer than this are collapsed to their first and last words.
_CONTEXT_WORDS = 8


@dataclass(frozen=True)
class WordRun:
    op: str  # "equal", "insert", "delete" or "skip" (collapsed unchanged words)
    text: str


@dataclass(frozen=True)
class FieldChange:
    name: str
    words: tuple[WordRun, ...]


@dataclass(frozen=True)
class ItemChange:
    label: str
    fields: tuple[FieldChange, ...] = ()


@dataclass
class RegisterDiff:
    title: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)  # labels of rows now in another place
    unchanged: int = 0

    @property
    def has_changes(self):
        return bool(self.added or self.removed or self.changed or self.moved)


@dataclass
class NoticeDiff:
    details: list[FieldChange]
    registers: list[RegisterDiff]

    @property
    def has_changes(self):
        return bool(self.details) or any(r.has_changes for r in self.registers)


def word_diff(old: str, new: str) -> tuple[WordRun, ...]:
    a, b = old.split(), new.split()
    runs = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            words = a[i1:i2]
            # Collapse only when that hides more than it costs to say so.
            if len(words) > 2 * _CONTEXT_WORDS + 3:
                runs += [
                    WordRun("equal", " ".join(words[:_CONTEXT_WORDS])),
                    WordRun("skip", f"{len(words) - 2 * _CONTEXT_WORDS} unchanged words"),
                    WordRun("equal", " ".join(words[-_CONTEXT_WORDS:])),
                ]
            else:
                runs.append(WordRun("equal", " ".join(words)))
            continue
        if op in ("delete", "replace"):
            runs.append(WordRun("delete", " ".join(a[i1:i2])))
        if op in ("insert", "replace"):
            runs.append(WordRun("insert", " ".join(b[j1:j2])))
    return tuple(runs)


def _as_text(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return "; ".join(value)
    return str(value)


def _changed(name, a, b, *, body=False):
    """A FieldChange when a reader would see a difference, else None. Words are compared, not spacing."""
    a, b = (markdown_as_text(a), markdown_as_text(b)) if body else (_as_text(a), _as_text(b))
    return FieldChange(name, word_diff(a, b)) if a.split() != b.split() else None


def _moved(old_uids, new_uids):
    """The uids, among those in both, whose place relative to the others changed (not in the longest common run)."""
    common = set(old_uids) & set(new_uids)
    a = [uid for uid in old_uids if uid in common]
    b = [uid for uid in new_uids if uid in common]
    kept = set()
    for block in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks():
        kept.update(a[block.a : block.a + block.size])
    return [uid for uid in b if uid not in kept]


def _reader_view(document, register):
    """The register's items with references replaced by what a reader sees (names, not uids)."""
    targets = {
        attr: {i.uid: getattr(i, BY_ATTR[attr].label) for i in getattr(document, attr)}
        for _, attr in register.refs.values()
    }
    items = []
    for item in getattr(document, register.attr):
        refs = {
            name: tuple(targets[attr].get(uid, "?") for uid in getattr(item, name))
            for name, (_, attr) in register.refs.items()
        }
        items.append(dataclasses.replace(item, **refs) if refs else item)
    return items


def _position(item):
    # Where a section sits is part of what a reader sees: a new placement is a move.
    return getattr(item, "placement", "")


_DETAILS = {"title": "title", "summary": "summary", "review_by": "review by", "audience_label": "who it is for"}
_PARTS = {
    "contact": ("who to ask", {"name": "name", "role": "role", "email": "email", "phone": "phone"}),
    "controller": (
        "data controller",
        {
            "name": "name",
            "address": "address",
            "ico_registration": "ICO registration",
            "dpo_name": "data protection officer",
            "dpo_email": "data protection officer's email",
            "complaints_contact": "how to complain to the trust",
        },
    ),
    "school": (
        "school",
        {
            "name": "name",
            "urn": "URN",
            "address": "address",
            "headteacher": "headteacher",
            "contact_email": "email",
        },
    ),
}


def diff_documents(old: NoticeDocument, new: NoticeDocument) -> NoticeDiff:
    """What a reader would see change from `old` to `new`: the one comparison behind status, diff and publishing."""
    details = [c for name, label in _DETAILS.items() if (c := _changed(label, getattr(old, name), getattr(new, name)))]
    for part, (prefix, fields) in _PARTS.items():
        a, b = getattr(old, part), getattr(new, part)
        details += [
            c
            for name, label in fields.items()
            if (c := _changed(f"{prefix}: {label}", getattr(a, name), getattr(b, name)))
        ]

    registers = []
    for register in REGISTERS:
        old_items, new_items = _reader_view(old, register), _reader_view(new, register)
        before = {item.uid: item for item in old_items}
        after = {item.uid: item for item in new_items}
        result = RegisterDiff(title=register.heading)
        result.added = [getattr(item, register.label) for uid, item in after.items() if uid not in before]
        result.removed = [getattr(item, register.label) for uid, item in before.items() if uid not in after]
        moved = set(_moved([i.uid for i in old_items], [i.uid for i in new_items]))
        moved |= {uid for uid in after if uid in before and _position(before[uid]) != _position(after[uid])}
        for uid, item in after.items():
            if uid not in before:
                continue
            changes = [
                c
                for name, label in register.reader_fields.items()
                if (c := _changed(label, getattr(before[uid], name), getattr(item, name), body=name == "body"))
            ]
            if changes:
                result.changed.append(ItemChange(getattr(item, register.label), tuple(changes)))
            if uid in moved:
                result.moved.append(getattr(item, register.label))
            if not changes and uid not in moved:
                result.unchanged += 1
        registers.append(result)
    return NoticeDiff(details=details, registers=registers)
