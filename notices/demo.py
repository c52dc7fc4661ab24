"""Writing demo content (notices.demo_content) into a school's draft. Used by load_demo and tests."""

from django.db import transaction

from notices.models import DataCategory, LawfulBasis, Notice, Purpose, Recipient, RetentionRule, Right, Section, System

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
_SIMPLE_REGISTERS = (
    ("systems", System),
    ("retention", RetentionRule),
    ("recipients", Recipient),
    ("rights", Right),
    ("sections", Section),
)


@transaction.atomic
def load_notice(data, *, user=None):
    """Create the notice described by `data` in the active school schema, with every register."""
    notice = Notice(**{name: data[name] for name in _NOTICE_FIELDS})
    _save(notice, user)
    categories = {}
    for order, item in enumerate(data["categories"], start=1):
        categories[item["name"]] = _save(DataCategory(notice=notice, order=order, **item), user)
    bases = {}
    for order, item in enumerate(data["bases"], start=1):
        fields = {k: v for k, v in item.items() if k not in ("key", "special_categories")}
        basis = _save(LawfulBasis(notice=notice, order=order, **fields), user)
        basis.special_categories.set([categories[name] for name in item["special_categories"]])
        bases[item["key"]] = basis
    for order, item in enumerate(data["purposes"], start=1):
        purpose = _save(Purpose(notice=notice, order=order, name=item["name"], detail=item.get("detail", "")), user)
        purpose.bases.set([bases[key] for key in item["bases"]])
    for attr, model in _SIMPLE_REGISTERS:
        for order, item in enumerate(data[attr], start=1):
            _save(model(notice=notice, order=order, **item), user)
    return notice


def add_system(notice, item, *, user=None):
    order = (System.objects.filter(notice=notice).order_by("-order").values_list("order", flat=True).first() or 0) + 1
    return _save(System(notice=notice, order=order, **item), user, reason="New system")


def _save(obj, user, reason="Demo content"):
    obj._history_user = user
    obj._change_reason = reason
    obj.full_clean(exclude=["notice"])
    obj.save()
    return obj
