"""Content models -> NoticeDocument. The only place that reads the draft for output.

Every register is read through notices.registers, with a fixed number of
queries however many rows a notice has.
"""

from notices import document as doc
from notices.models import Notice
from notices.registers import REGISTERS


def compose_notice(notice: Notice, *, school) -> doc.NoticeDocument:
    """Build the document for `notice` of `school` (a tenants.School with its trust).

    The caller must have `school`'s schema active; registers are read from it.
    """
    trust = school.trust
    return doc.NoticeDocument(
        schema=doc.SCHEMA_VERSION,
        title=notice.title,
        slug=notice.slug,
        audience=notice.audience,
        audience_label=notice.get_audience_display(),
        summary=notice.summary,
        review_by=notice.review_by.isoformat(),
        contact=doc.Contact(
            name=notice.contact_name,
            role=notice.contact_role,
            email=notice.contact_email,
            phone=notice.contact_phone,
        ),
        controller=doc.Controller(
            name=trust.name,
            address=trust.address,
            ico_registration=trust.ico_registration,
            dpo_name=trust.dpo_name,
            dpo_email=trust.dpo_email,
            complaints_contact=trust.complaints_contact,
        ),
        school=doc.SchoolInfo(
            name=school.name,
            slug=school.slug,
            urn=school.urn,
            address=school.address,
            headteacher=school.headteacher,
            contact_email=school.contact_email,
        ),
        **{register.attr: _items(register, notice) for register in REGISTERS},
    )


def _items(register, notice):
    m2m = [field for field, _ in register.refs.values()]
    rows = register.rows(notice).prefetch_related(*m2m) if m2m else register.rows(notice)
    return tuple(
        register.item_from_row(
            row,
            {
                name: [str(t.uid) for t in sorted(getattr(row, field).all(), key=_in_order)]
                for name, (field, _) in register.refs.items()
            },
        )
        for row in rows
    )


def _in_order(item):
    return (item.order, item.pk)
