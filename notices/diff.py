"""What changed between two notice documents: register items and word-level text."""

import dataclasses
import difflib
from dataclasses import dataclass, field

from notices.document import NoticeDocument
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
    unchanged: int = 0

    @property
    def has_changes(self):
        return bool(self.added or self.removed or self.changed)


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


def _field_changes(old, new, skip=("uid",), names=None):
    changes = []
    for f in dataclasses.fields(new):
        if f.name in skip:
            continue
        a, b = getattr(old, f.name), getattr(new, f.name)
        if f.name == "body":
            a, b = markdown_as_text(a), markdown_as_text(b)
        else:
            a, b = _as_text(a), _as_text(b)
        # Compare words, as a reader does: re-wrapping a paragraph is no change.
        if a.split() != b.split():
            changes.append(FieldChange((names or {}).get(f.name, f.name.replace("_", " ")), word_diff(a, b)))
    return changes


def _label(item):
    for attr in ("name", "title", "record_type", "heading", "label"):
        if hasattr(item, attr):
            return getattr(item, attr)
    return item.uid


# (document attribute, heading) in the order the notice reads.
REGISTERS = (
    ("categories", "The information we hold"),
    ("bases", "Lawful bases"),
    ("purposes", "Why we use it"),
    ("systems", "Where we store it"),
    ("retention", "How long we keep it"),
    ("recipients", "Who we share it with"),
    ("rights", "Your rights"),
    ("sections", "Sections"),
)


def _with_basis_titles(document):
    """Purposes refer to bases by uid; compare the titles a reader sees."""
    titles = {b.uid: b.title for b in document.bases}
    return tuple(
        dataclasses.replace(p, bases=tuple(titles.get(uid, "?") for uid in p.bases)) for p in document.purposes
    )


def diff_documents(old: NoticeDocument, new: NoticeDocument) -> NoticeDiff:
    details = []
    for name in ("title", "summary", "review_by"):
        a, b = getattr(old, name), getattr(new, name)
        if a.split() != b.split():
            details.append(FieldChange(name.replace("_", " "), word_diff(a, b)))
    for part in ("contact", "controller", "school"):
        details += [
            FieldChange(f"{part} {c.name}", c.words)
            for c in _field_changes(getattr(old, part), getattr(new, part), skip=())
        ]

    registers = []
    for attr, title in REGISTERS:
        if attr == "purposes":
            old_items, new_items = _with_basis_titles(old), _with_basis_titles(new)
        else:
            old_items, new_items = getattr(old, attr), getattr(new, attr)
        before = {item.uid: item for item in old_items}
        after = {item.uid: item for item in new_items}
        result = RegisterDiff(title=title)
        result.added = [_label(item) for uid, item in after.items() if uid not in before]
        result.removed = [_label(item) for uid, item in before.items() if uid not in after]
        for uid, item in after.items():
            if uid in before:
                changes = _field_changes(before[uid], item)
                if changes:
                    result.changed.append(ItemChange(_label(item), tuple(changes)))
                else:
                    result.unchanged += 1
        registers.append(result)
    return NoticeDiff(details=details, registers=registers)
