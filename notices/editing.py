"""Acts of the notice workspace that are not a plain form save: starting a notice, moving a row.

The admin's part pages call these; so can anything else (a command, a test).
"""

from django.db import transaction

from notices.models import ItemState, Placement, Section, SectionKind

# The sections the completeness check looks for by kind, which a new notice starts with: a DPL edits the starter
# text instead of writing a section of their own under another kind, which the check would not find.
STARTER_SECTIONS = (
    (
        SectionKind.COLLECTING,
        "Collecting information",
        Placement.AFTER_PURPOSES,
        "Most of the information we ask for is required: the law says schools must collect it. Some is "
        "optional, and when it is we will tell you, ask for your consent where that is the basis, and say what "
        "happens if you choose not to give it.",
    ),
    (
        SectionKind.SOURCES,
        "Where we get information from",
        Placement.AFTER_CATEGORIES,
        "Most of what we hold comes from you. Some comes from others: for example the school your child attended "
        "before, the local authority and the Department for Education.",
    ),
    (
        SectionKind.AUTOMATED_DECISIONS,
        "Decisions made by computer",
        Placement.AFTER_RIGHTS,
        "We do not make decisions about you or your child by computer alone, without a person involved.",
    ),
    (
        SectionKind.COMPLAINTS,
        "How to complain",
        Placement.END,
        "If you are unhappy with how we use your information, please tell us first: we will acknowledge your "
        "complaint within 30 days and tell you what we will do. You can also complain to the Information "
        "Commissioner's Office at ico.org.uk/make-a-complaint or on 0303 123 1113.",
    ),
)
STARTER_KINDS = frozenset(kind for kind, *_ in STARTER_SECTIONS)


@transaction.atomic
def add_starter_sections(notice, *, user):
    """Give a new notice the sections the completeness check depends on, with their kind and a starter text."""
    have = set(Section.objects.filter(notice=notice).values_list("kind", flat=True))
    for order, (kind, heading, placement, body) in enumerate(STARTER_SECTIONS, start=1):
        if kind in have:
            continue
        section = Section(notice=notice, kind=kind, heading=heading, placement=placement, body=body, order=order)
        section._history_user, section._change_reason = user, "Starter section"
        section.save()


@transaction.atomic
def move_row(register, notice, row_pk, *, up, user):
    """Move one of the school's own rows of `register` a place up or down among its own rows (keyboard reordering).

    The trust's items keep the trust's order (notices.following places them),
    so only local rows move, and only past each other: the row swaps order
    numbers with its neighbour (ties are broken by one), each save in the history
    with its author. False if the row is already first or last of them.
    """
    rows = list(
        register.model.objects.select_for_update().filter(notice=notice, state=ItemState.LOCAL).order_by("order", "pk")
    )
    index = next((i for i, row in enumerate(rows) if row.pk == row_pk), None)
    if index is None:
        raise register.model.DoesNotExist(f"No item of the school's own in {register.heading} has that id.")
    other = index - 1 if up else index + 1
    if not 0 <= other < len(rows):
        return False
    row, neighbour = rows[index], rows[other]
    if row.order == neighbour.order:
        row.order += -1 if up else 1
    else:
        row.order, neighbour.order = neighbour.order, row.order
    for changed in (row, neighbour):
        changed._history_user, changed._change_reason = user, "Moved"
        changed.save(update_fields=["order"])
    return True
