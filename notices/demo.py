"""Writing demo content (notices.demo_content) into a school's draft. Used by load_demo and tests.

Demo data names the rows a reference points to by the target's label (a
category's name) or by a "key" (bases), since it has no uids yet.
"""

from django.db import transaction

from notices.models import Notice, System
from notices.registers import REGISTERS

_NOTICE_FIELDS = (
    "title",
    "slug",
    "audience",
    "summary",
    "contact_name",
    "contact_role",
    "contact_email",
    "contact_phone",
    "review_by",
)


@transaction.atomic
def load_notice(data, *, user=None):
    """Create the notice described by `data` in the active school schema, with every register."""
    notice = Notice(**{name: data[name] for name in _NOTICE_FIELDS})
    _save(notice, user)
    made = {}  # register attr -> {key or label: row}
    pending = []
    for register in REGISTERS:
        made[register.attr] = {}
        for order, item in enumerate(data[register.attr], start=1):
            fields = {name: item[name] for name in register.columns if name in item}
            row = register.model(notice=notice, order=order, **fields)
            # References are set after the rows exist, so clean() must not see them yet.
            _save(row, user)
            made[register.attr][item.get("key", fields.get(register.label))] = row
            pending += [(row, field, attr, item[name]) for name, (field, attr) in register.refs.items()]
    for row, field, attr, names in pending:
        getattr(row, field).set([made[attr][name] for name in names])
    return notice


def add_system(notice, item, *, user=None):
    return add_item(notice, System, item, user=user, reason="New system")


def add_item(notice, model, item, *, user=None, reason):
    """A new last row of `model` in `notice`: a school's own item, or a trust item in a template's draft."""
    last = model.objects.filter(notice=notice).order_by("-order").values_list("order", flat=True).first() or 0
    return _save(model(notice=notice, order=last + 1, **item), user, reason=reason)


def _save(obj, user, reason="Demo content"):
    obj._history_user = user
    obj._change_reason = reason
    obj.full_clean(exclude=["notice"])
    obj.save()
    return obj
