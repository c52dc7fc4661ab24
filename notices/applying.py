"""Document -> draft rows: the one way content reaches a notice's draft from a document.

Revert uses it today; imports and trust templates are meant to use it too.
Every write is an ordinary history-tracked save with the user and reason, so
the draft's history shows the act as one more change.
"""

from django.db import transaction

from notices.document import NoticeDocument
from notices.models import ItemState, Notice
from notices.registers import REGISTERS, STATES


@transaction.atomic
def apply_document(notice: Notice, document: NoticeDocument, *, user, reason: str, origins=True) -> Notice:
    """Make `notice`'s draft say what `document` says, keeping each row's identity (uid).

    Rows the document lacks are deleted, rows it has are updated or created in
    its order, and references between registers are set by uid. Controller and
    school details are not draft content (they come from the trust and school
    records), and the slug is the notice's identity, so neither is applied.

    With `origins`, each row also takes the item's link to the trust template
    (inherited, replaced or the school's own); rows the school hides are not in
    any document and are kept. A trust template's own rows (origins=False) are
    never linked to anything.
    """
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    notice.title, notice.summary, notice.audience = document.title, document.summary, document.audience
    notice.review_by = document.review_by_date()
    notice.contact_name, notice.contact_role = document.contact.name, document.contact.role
    notice.contact_email, notice.contact_phone = document.contact.email, document.contact.phone
    _save(notice, user, reason)

    rows = {}
    for register in REGISTERS:
        items = getattr(document, register.attr)
        wanted = {item.uid for item in items}
        # Remove rows the document lacks first, so unique rules (one row per
        # right) cannot clash with the rows being written.
        for row in register.model.objects.filter(notice=notice).exclude(uid__in=wanted).exclude(state=ItemState.HIDDEN):
            row._history_user, row._change_reason = user, reason
            row.delete()
        existing = {str(row.uid): row for row in register.model.objects.filter(notice=notice)}
        for order, item in enumerate(items, start=1):
            row = existing.get(item.uid) or register.model(notice=notice, uid=item.uid)
            row.order = order
            for name in register.columns:
                setattr(row, name, getattr(item, name))
            if origins:
                row.state, row.template_uid = STATES[item.origin], item.template_uid or None
                row.hidden_reason = ""
            _save(row, user, reason)
            rows[item.uid] = row

    for register in REGISTERS:
        for item in getattr(document, register.attr):
            for name, (field, _) in register.refs.items():
                getattr(rows[item.uid], field).set([rows[uid] for uid in getattr(item, name) if uid in rows])
    return notice


def _save(obj, user, reason):
    obj._history_user = user
    obj._change_reason = reason
    obj.save()
