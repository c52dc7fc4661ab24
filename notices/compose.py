"""Content models -> NoticeDocument. The only place that reads the draft for output.

A future trust-wide template (sections a school inherits or overrides) belongs
here: merge the trust's sections with the school's before building the
document, and every renderer keeps working unchanged.
"""

from notices import document as doc
from notices.models import Notice


def compose_notice(notice: Notice, *, school) -> doc.NoticeDocument:
    """Build the document for `notice` of `school` (a tenants.School with its trust).

    The caller must have `school`'s schema active; registers are read from it.
    """
    trust = school.trust
    bases = list(notice.bases.prefetch_related("special_categories"))
    purposes = list(notice.purposes.prefetch_related("bases"))
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
        categories=tuple(
            doc.Category(uid=str(c.uid), name=c.name, examples=c.examples, special=c.special, source=c.source)
            for c in notice.categories.all()
        ),
        bases=tuple(
            doc.Basis(
                uid=str(b.uid),
                title=b.title,
                article6=b.article6,
                article6_label=b.get_article6_display(),
                article9=b.article9,
                article9_label=b.get_article9_display() if b.article9 else "",
                special_categories=tuple(c.name for c in sorted(b.special_categories.all(), key=_in_order)),
                legislation=b.legislation,
                explanation=b.explanation,
                legitimate_interest=b.legitimate_interest,
            )
            for b in bases
        ),
        purposes=tuple(
            doc.Purpose(
                uid=str(p.uid),
                name=p.name,
                detail=p.detail,
                bases=tuple(str(b.uid) for b in sorted(p.bases.all(), key=_in_order)),
            )
            for p in purposes
        ),
        systems=tuple(
            doc.System(
                uid=str(s.uid),
                name=s.name,
                used_for=s.used_for,
                supplier=s.supplier,
                outside_uk=s.outside_uk,
                safeguard=s.safeguard,
            )
            for s in notice.systems.all()
        ),
        retention=tuple(
            doc.Retention(uid=str(r.uid), record_type=r.record_type, period=r.period)
            for r in notice.retention_rules.all()
        ),
        recipients=tuple(
            doc.Recipient(
                uid=str(r.uid),
                name=r.name,
                reason=r.reason,
                sharing=r.sharing,
                sharing_label=r.get_sharing_display(),
                legal_basis=r.legal_basis,
                outside_uk=r.outside_uk,
                safeguard=r.safeguard,
            )
            for r in notice.recipients.all()
        ),
        rights=tuple(
            doc.Right(uid=str(r.uid), right=r.right, label=r.get_right_display(), how_to_exercise=r.how_to_exercise)
            for r in notice.rights.all()
        ),
        sections=tuple(
            doc.Section(uid=str(s.uid), heading=s.heading, kind=s.kind, placement=s.placement, body=s.body)
            for s in notice.sections.all()
        ),
    )


def _in_order(item):
    return (item.order, item.pk)
