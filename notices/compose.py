"""Content models -> NoticeDocument. The only place that reads the draft for output.

Every register is read through notices.registers, with a fixed number of
queries however many rows a notice has. A school's draft already holds its
trust template's items (notices.following copies each release in), so
composing a school reads only the school's own schema. Placeholders
(notices.placeholders) are filled here, per school.
"""

from notices import document as doc
from notices import placeholders
from notices.models import ItemState, Notice
from notices.registers import REGISTERS


def compose_notice(notice: Notice, *, school) -> doc.NoticeDocument:
    """Build the document for `notice` of `school` (a tenants.School with its trust).

    The caller must have `school`'s schema active; registers are read from it.
    """
    values = placeholders.values_for(school, notice)
    template = notice.follows
    return _compose(
        notice,
        trust=school.trust,
        school=doc.SchoolInfo(
            name=school.name,
            slug=school.slug,
            urn=school.urn,
            address=school.address,
            headteacher=school.headteacher,
            contact_email=school.contact_email,
        ),
        template=doc.TemplateRef(slug=template.slug, title=template.title, release=notice.release)
        if template
        else NO_TEMPLATE,
        fill=lambda text: placeholders.fill(text, values),
        origin=None,
    )


def compose_template(notice: Notice, *, trust, preview=False) -> doc.NoticeDocument:
    """The document of a trust template's draft (the trust's workspace schema must be active).

    Every item is a trust item, its own uid its template uid. Placeholders stay
    as written, as a release stores them, unless `preview` shows stand-ins.
    """
    stand_ins = placeholders.stand_ins()
    return _compose(
        notice,
        trust=trust,
        school=doc.SchoolInfo(
            name=stand_ins["school_name"],
            slug="",
            urn="",
            address=stand_ins["school_address"],
            headteacher=stand_ins["headteacher"],
            contact_email=stand_ins["school_email"],
        ),
        template=NO_TEMPLATE,
        fill=(lambda text: placeholders.fill(text, stand_ins)) if preview else None,
        origin=doc.TRUST,
    )


NO_TEMPLATE = doc.TemplateRef(slug="", title="", release=0)  # as the document field defaults


def _compose(notice, *, trust, school, template, fill, origin):
    same = fill or (lambda text: text)
    return doc.NoticeDocument(
        schema=doc.SCHEMA_VERSION,
        title=same(notice.title),
        slug=notice.slug,
        audience=notice.audience,
        audience_label=notice.get_audience_display(),
        summary=same(notice.summary),
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
        school=school,
        template=template,
        **{register.attr: _items(register, notice, fill, origin) for register in REGISTERS},
    )


def _items(register, notice, fill, origin):
    m2m = [field for field, _ in register.refs.values()]
    rows = register.rows(notice).prefetch_related(*m2m) if m2m else register.rows(notice)
    return tuple(
        register.item_from_row(
            row,
            {
                # A reference to a hidden row is not in the document either.
                name: [
                    str(t.uid) for t in sorted(getattr(row, field).all(), key=_in_order) if t.state != ItemState.HIDDEN
                ]
                for name, (field, _) in register.refs.items()
            },
            fill=fill,
            origin=origin,
        )
        for row in rows
    )


def _in_order(item):
    return (item.order, item.pk)
