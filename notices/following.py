"""A school notice that follows its trust's template: copy-on-write sync, overrides and conflicts.

A release reaches a school as ordinary, history-tracked edits of the school's
own rows (docs/decisions/0008). Each row that comes from the trust carries the
trust item's uid (`template_uid`), how the school uses it (`state`: inherited,
replaced or hidden) and the release that use is based on (`based_on`). Compose
then stays school-local, and the admin, history and revert keep working on
school rows.

A conflict is a replaced or hidden row whose trust item changed (or went) since
the release it was based on: the school's override would otherwise silently
stop following the trust. Conflicts are computed, never stored, from the
releases themselves.

Every act here is one function that the admin, the console, the commands and
the tests call; each runs in the school's schema (tenant_context).
"""

from dataclasses import dataclass

from django.db import connection, transaction

from notices import placeholders
from notices.compose import compose_notice
from notices.document import NoticeDocument
from notices.models import ItemState, Notice
from notices.registers import BY_ATTR, REGISTERS, Register
from tenants import access, audit
from tenants.models import Template, TemplateRelease


class FollowRefused(Exception):
    """The act cannot be done as asked; the message says why."""


# --- reading releases ----------------------------------------------------------


def release_document(release: TemplateRelease) -> NoticeDocument:
    return NoticeDocument.from_dict(release.document)


def latest_release(template: Template) -> TemplateRelease | None:
    return template.releases.order_by("-number").first()


def trust_items(document: NoticeDocument) -> dict[str, object]:
    """template uid -> item, for every item of a release document."""
    return {item.uid: item for register in REGISTERS for item in getattr(document, register.attr)}


def released_in(version, template) -> int:
    """The release of `template` a published version was composed from; 0 if none (or another template's)."""
    if version is None or template is None:
        return 0
    ref = NoticeDocument.from_dict(version.document).template
    return ref.release if ref.slug == template.slug else 0


def _releases(template_id, numbers):
    """{number: release document} for these releases of one template, in one query."""
    found = TemplateRelease.objects.filter(template_id=template_id, number__in=set(numbers))
    return {release.number: release_document(release) for release in found}


# --- conflicts -------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """A school's override of a trust item that the trust has changed or removed since."""

    register: Register
    row: object  # the school's replaced or hidden row
    was: object  # the trust item the override was based on (None if that release is unknown)
    now: object  # the trust item in the release the draft follows; None: the trust removed it

    @property
    def removed(self):
        return self.now is None

    @property
    def label(self):
        return str(self.row)


def conflicts(notice: Notice) -> list[Conflict]:
    """Every unresolved conflict of `notice`, in register order. Two queries per register, one for releases."""
    if not notice.follows_id:
        return []
    overrides = [
        (register, row)
        for register in REGISTERS
        for row in register.model.objects.filter(
            notice=notice, state__in=(ItemState.REPLACED, ItemState.HIDDEN)
        ).order_by("order", "pk")
    ]
    if not overrides:
        return []
    documents = _releases(notice.follows_id, [notice.release, *(row.based_on for _, row in overrides)])
    items = {number: trust_items(document) for number, document in documents.items()}
    found = []
    for register, row in overrides:
        if row.based_on == notice.release:
            continue
        key = str(row.template_uid)
        was = items.get(row.based_on, {}).get(key)
        now = items.get(notice.release, {}).get(key)
        if now is None or was is None or register.values(now) != register.values(was):
            found.append(Conflict(register=register, row=row, was=was, now=now))
    return found


# --- sync: a release reaches a school's draft -----------------------------------


def _reason(release):
    return f"Trust release {release.number}: {release.summary}"[:100]


def _save(obj, user, reason):
    obj._history_user = user
    obj._change_reason = reason[:100]
    obj.save()


def _delete(row, user, reason):
    row._history_user, row._change_reason = user, reason[:100]
    row.delete()


def _set_values(register, row, values):
    """Give `row` the school's own `values` (register columns only), validated as the editor would."""
    unknown = set(values) - set(register.columns)
    if unknown:
        raise FollowRefused(f"Not a field of this register: {', '.join(sorted(unknown))}.")
    for name, value in values.items():
        setattr(row, name, value)


def _take_values(register, row, item):
    """Give `row` the trust item's columns; True if anything it says changed."""
    changed = False
    for name in register.columns:
        value = getattr(item, name)
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


@transaction.atomic
def sync_notice(notice: Notice, release: TemplateRelease, *, user, reason=None) -> Notice:
    """Bring `notice`'s draft to `release` of the template it follows (or starts following).

    Inherited rows take the release's values; trust items take the release's
    order, and each of the school's own rows stays right after the trust item
    it followed; new trust items arrive inherited; trust items that are gone
    are deleted where inherited or hidden.
    Replaced and hidden rows are left alone: if their trust item changed, that
    is a conflict for the DPL (conflicts()). Every write is in the history.
    """
    reason = reason or _reason(release)
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.follows_id not in (None, release.template_id):
        raise FollowRefused("This notice follows another template.")
    notice.follows_id, notice.release = release.template_id, release.number
    _save(notice, user, reason)
    document = release_document(release)
    rows_by_trust_uid = {}
    for register in REGISTERS:
        items = getattr(document, register.attr)
        wanted = {item.uid for item in items}
        current = list(register.model.objects.filter(notice=notice).order_by("order", "pk"))
        rows = {str(r.template_uid): r for r in current if r.template_uid}
        for key, row in rows.items():
            if key not in wanted and row.state in (ItemState.INHERITED, ItemState.HIDDEN):
                _delete(row, user, reason)
        orders, school_rows = _places(items, [r for r in current if not _gone(r, wanted)])
        for item in items:
            row = rows.get(item.uid) or _adoptable(register, notice, item)
            if row is None:
                row = register.model(notice=notice, template_uid=item.uid, state=ItemState.INHERITED)
            school_rows.pop(row.pk, None)
            if row.state == ItemState.INHERITED or row.pk is None:
                # An inherited row is written only when the trust changed it (or it moved): its based_on then
                # says the release it last changed in. Only replaced and hidden rows need it current
                # (conflicts), so a one-item release writes one row per school, not every row.
                changed = _take_values(register, row, item)
                if changed or row.pk is None or row.order != orders[item.uid]:
                    row.based_on, row.order = release.number, orders[item.uid]
                    _save(row, user, reason)
            elif row.template_uid is None:
                # A local row the trust item would clash with (one row per right): it becomes the replacement.
                row.template_uid, row.state, row.based_on = item.uid, ItemState.REPLACED, release.number
                row.order = orders[item.uid]
                _save(row, user, reason)
            elif row.order != orders[item.uid]:
                row.order = orders[item.uid]
                _save(row, user, reason)
            rows_by_trust_uid[item.uid] = row
        for row, order in school_rows.values():
            if row.order != order:
                row.order = order
                _save(row, user, reason)
    _link_references(document, rows_by_trust_uid)
    return notice


def _gone(row, wanted):
    """A row this sync deletes: a trust item the release no longer has, which the school did not replace."""
    return bool(row.template_uid) and str(row.template_uid) not in wanted and row.state != ItemState.REPLACED


def _places(items, rows):
    """The order of every row once the release is in: the trust's items in the release's order, and each of the
    school's own rows (and replacements of items the trust removed) kept right after the trust item it followed.

    Returns ({trust uid: order}, {school row pk: (row, order)}).
    """
    wanted = {item.uid for item in items}
    after = {}  # trust uid (None: before any) -> the school's rows that follow it
    last = None
    for row in rows:
        key = str(row.template_uid) if row.template_uid else None
        if key in wanted:
            last = key
        else:
            after.setdefault(last, []).append(row)
    sequence = [*after.get(None, [])]
    for item in items:
        sequence += [item.uid, *after.get(item.uid, [])]
    trust_orders, school_orders = {}, {}
    for n, entry in enumerate(sequence, start=1):
        if isinstance(entry, str):
            trust_orders[entry] = n * 10
        else:
            school_orders[entry.pk] = (entry, n * 10)
    return trust_orders, school_orders


def _adoptable(register, notice, item):
    """The school's own row that must stand for `item` because the table allows only one (rights)."""
    if not register.unique_match:
        return None
    column = register.match_column
    return (
        register.model.objects.filter(notice=notice, template_uid__isnull=True, **{column: getattr(item, column)})
        .exclude(state=ItemState.HIDDEN)
        .first()
    )


def _link_references(document, rows_by_trust_uid):
    """Inherited rows point where their trust item points, at the school's rows for those trust items."""
    for register in REGISTERS:
        for item in getattr(document, register.attr):
            row = rows_by_trust_uid[item.uid]
            if row.state != ItemState.INHERITED:
                continue
            for name, (field, _) in register.refs.items():
                targets = [rows_by_trust_uid[uid] for uid in getattr(item, name) if uid in rows_by_trust_uid]
                getattr(row, field).set(targets)


# --- a school's acts on one trust item -----------------------------------------


def _may_edit(user):
    """Only an editor or publisher of the school whose schema is active acts on its notice (None: a command)."""
    school = getattr(connection, "tenant", None)
    if user is not None and not access.can_edit_school(user, school):
        raise FollowRefused(f"{user.email} has no role at this school.")


def _trust_row(register, notice, row_id, user):
    """The school's row for a trust item, locked, or FollowRefused."""
    _may_edit(user)
    row = register.model.objects.select_for_update().filter(notice=notice, pk=row_id).first()
    if row is None or row.template_uid is None:
        raise FollowRefused("That item does not come from the trust.")
    return row


def trust_version(notice, register, row):
    """The trust's item `row` stands for, as the release the notice follows says it; None if the trust removed it."""
    release = TemplateRelease.objects.filter(template_id=notice.follows_id, number=notice.release).first()
    if release is None:
        return None
    return trust_items(release_document(release)).get(str(row.template_uid))


@transaction.atomic
def replace_item(notice: Notice, register: Register, row_id, *, user, values=None, reason="") -> object:
    """Make a trust item the school's own wording, still linked to it; `values` are the new columns, if any.

    The replacement records the release it is based on, so a later trust change
    to the item shows as a conflict. Without `values` the school starts from
    the trust's wording and edits it in place.
    """
    row = _trust_row(register, notice, row_id, user)
    _set_values(register, row, values or {})
    row.state, row.based_on, row.hidden_reason = ItemState.REPLACED, notice.release, ""
    row.full_clean(exclude=["notice", *register.refs])
    _save(row, user, f"Replaced the trust's wording{': ' + reason if reason else ''}")
    return row


@transaction.atomic
def hide_item(notice: Notice, register: Register, row_id, *, user, reason) -> object:
    """Leave a trust item out of this school's notice, with the reason kept in the history (never shown to parents)."""
    reason = (reason or "").strip()
    if not reason:
        raise FollowRefused("Say why the school does not use this item: the reason is kept in the history.")
    row = _trust_row(register, notice, row_id, user)
    row.state, row.based_on, row.hidden_reason = ItemState.HIDDEN, notice.release, reason
    _save(row, user, f"Hidden: {reason}")
    return row


@transaction.atomic
def restore_item(notice: Notice, register: Register, row_id, *, user) -> object | None:
    """Go back to the trust's version of an item: inherited again, with the wording of the release followed.

    Returns the row, or None when the trust has removed the item (the row goes too).
    """
    row = _trust_row(register, notice, row_id, user)
    item = trust_version(notice, register, row)
    reason = "Back to the trust's version"
    if item is None:
        _delete(row, user, reason)
        return None
    _take_values(register, row, item)
    row.state, row.based_on, row.hidden_reason = ItemState.INHERITED, notice.release, ""
    _save(row, user, reason)
    for name, (field, target_attr) in register.refs.items():
        targets = BY_ATTR[target_attr].model.objects.filter(notice=notice, template_uid__in=getattr(item, name))
        getattr(row, field).set(targets)
    return row


KEEP_OURS, TAKE_TRUST = "ours", "trust"


@transaction.atomic
def resolve_conflict(notice: Notice, register: Register, row_id, *, user, choice, values=None) -> object | None:
    """Settle a conflict: keep the school's version, take the trust's, or edit (keep ours with new `values`).

    Keeping ours moves the override onto the release followed now; if the
    trust removed the item, the school's replacement becomes its own item.
    """
    row = _trust_row(register, notice, row_id, user)
    if not any(c.row.pk == row.pk for c in conflicts(notice) if c.register is register):
        raise FollowRefused("That item has no conflict to resolve.")
    if choice == TAKE_TRUST:
        return restore_item(notice, register, row_id, user=user)
    if choice != KEEP_OURS:
        raise FollowRefused("Choose to keep the school's version or take the trust's.")
    if values:
        _set_values(register, row, values)
        row.full_clean(exclude=["notice", *register.refs])
    if trust_version(notice, register, row) is None:
        if row.state == ItemState.HIDDEN:
            _delete(row, user, "The trust removed a hidden item")
            return None
        row.template_uid, row.state, row.based_on = None, ItemState.LOCAL, None
        _save(row, user, "Kept ours: the trust removed this item, so it is the school's own now")
        return row
    row.based_on = notice.release
    _save(row, user, f"Kept ours after trust release {notice.release}")
    return row


# --- linking an existing notice to a template -----------------------------------

INHERIT, REPLACE, LOCAL, ADD = "inherited", "replaced", "local", "added"


@dataclass(frozen=True)
class LinkStep:
    register: Register
    outcome: str  # INHERIT (identical to a trust item), REPLACE, LOCAL (school only) or ADD (trust only, arrives)
    label: str
    row_id: int | None = None
    template_uid: str = ""


@dataclass(frozen=True)
class LinkPlan:
    template: Template
    release: TemplateRelease
    steps: tuple[LinkStep, ...]

    def count(self, outcome):
        return sum(1 for step in self.steps if step.outcome == outcome)

    def by_outcome(self):
        return {outcome: [s for s in self.steps if s.outcome == outcome] for outcome in (INHERIT, REPLACE, LOCAL, ADD)}


def _comparable(register, item, fill, uid_map):
    values = register.values(item)
    for name in register.texts:
        values[name] = fill(values[name]).strip()
    for name in register.refs:
        values[name] = tuple(sorted(uid_map.get(uid, uid) for uid in values[name]))
    return values


def plan_link(notice: Notice, template: Template, *, school) -> LinkPlan:
    """What linking `notice` to `template`'s latest release would do, item by item. Changes nothing.

    A school row and a trust item are the same item when they name the same
    thing (the same name, title, heading, record type or right). Paired items
    that read the same, once the trust's placeholders are filled with this
    school's details, become inherited; paired items that differ become the
    school's replacements; the school's other rows stay its own; trust items
    the school lacks arrive inherited.
    """
    if template.trust_id != school.trust_id:
        raise FollowRefused("A school can follow only a template of its own trust.")
    if notice.follows_id and notice.follows_id != template.pk:
        raise FollowRefused("This notice already follows another template.")
    release = latest_release(template)
    if release is None:
        raise FollowRefused(f"'{template.title}' has no release yet: release it first.")
    ours = compose_notice(notice, school=school)
    theirs = release_document(release)
    values = placeholders.values_for(school, notice)

    def fill(text):
        return placeholders.fill(text, values)

    pairs = {}  # trust uid -> school item
    for register in REGISTERS:
        taken = set()
        school_items = getattr(ours, register.attr)
        for item in getattr(theirs, register.attr):
            key = _match_key(register, item, fill)
            match = next(
                (
                    s
                    for s in school_items
                    if s.uid not in taken
                    and (s.template_uid == item.uid or (not s.template_uid and _match_key(register, s, str) == key))
                ),
                None,
            )
            if match is not None:
                taken.add(match.uid)
                pairs[item.uid] = match
    to_school = {uid: item.uid for uid, item in pairs.items()}
    steps = []
    for register in REGISTERS:
        rows = {str(r.uid): r.pk for r in register.model.objects.filter(notice=notice)}
        paired = set()
        for item in getattr(theirs, register.attr):
            label = fill(getattr(item, register.label))
            match = pairs.get(item.uid)
            if match is None:
                steps.append(LinkStep(register, ADD, label, template_uid=item.uid))
                continue
            paired.add(match.uid)
            same = _comparable(register, item, fill, to_school) == _comparable(register, match, str, {})
            steps.append(LinkStep(register, INHERIT if same else REPLACE, label, rows.get(match.uid), item.uid))
        steps += [
            LinkStep(register, LOCAL, getattr(item, register.label), rows.get(item.uid))
            for item in getattr(ours, register.attr)
            if item.uid not in paired
        ]
    return LinkPlan(template=template, release=release, steps=tuple(steps))


def _match_key(register, item, fill):
    return " ".join(fill(str(getattr(item, register.match_column))).split()).casefold()


@transaction.atomic
def link_notice(notice: Notice, template: Template, *, school, user) -> LinkPlan:
    """Make `notice` follow `template`: do what plan_link says, as one recorded change in the history.

    Nothing is lost: identical items become inherited (their wording is the
    trust's, filled for this school), differing ones the school's replacements,
    and everything else stays the school's own.
    """
    _may_edit(user)
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    plan = plan_link(notice, template, school=school)
    reason = f"Linked to the trust template '{template.title}', release {plan.release.number}"
    for step in plan.steps:
        if step.outcome not in (INHERIT, REPLACE):
            continue
        row = step.register.model.objects.get(pk=step.row_id)
        row.template_uid = step.template_uid
        row.state = ItemState.INHERITED if step.outcome == INHERIT else ItemState.REPLACED
        row.based_on = plan.release.number
        _save(row, user, reason)
    sync_notice(notice, plan.release, user=user, reason=reason)
    audit.record(
        audit.Action.NOTICE_LINKED,
        actor=user,
        school=school,
        notice=notice.slug,
        template=template.slug,
        release=plan.release.number,
        **{outcome: plan.count(outcome) for outcome in (INHERIT, REPLACE, LOCAL, ADD)},
    )
    return plan


# --- where a school stands -------------------------------------------------------


@dataclass(frozen=True)
class FollowStatus:
    template: Template | None
    release: int  # the release the draft follows
    latest: int  # the template's latest release
    live_release: int  # the release the live version was composed from (0: none, or not from this template)
    replaced: int
    hidden: int
    local: int
    conflicts: tuple[Conflict, ...]

    @property
    def behind(self):
        """Releases the trust made since the one parents see now."""
        return max(self.latest - self.live_release, 0) if self.template else 0


def follow_status(notice: Notice, *, current_version=None) -> FollowStatus:
    """Counts and conflicts for the console, the admin and template_status, in a bounded number of queries."""
    counts = {state: 0 for state in ItemState.values}
    for register in REGISTERS:
        for state in register.model.objects.filter(notice=notice).values_list("state", flat=True):
            counts[state] += 1
    template = notice.follows
    latest = 0
    if template is not None:
        latest = template.releases.order_by("-number").values_list("number", flat=True).first() or 0
    return FollowStatus(
        template=template,
        release=notice.release,
        latest=latest,
        live_release=released_in(current_version, template),
        replaced=counts[ItemState.REPLACED],
        hidden=counts[ItemState.HIDDEN],
        local=counts[ItemState.LOCAL],
        conflicts=tuple(conflicts(notice)),
    )
