"""Completeness check: does a notice document say what UK GDPR Articles 13 and 14 require?

Each rule matches one item of the ICO checklist (product brief, items 1-13)
and returns a Finding that says what is missing and where to add it.
"""

from dataclasses import dataclass

from notices import placeholders
from notices.document import NoticeDocument
from notices.models import Article6, Article9, RightKind, SectionKind
from notices.registers import REGISTERS

_CORE_RIGHTS = (
    RightKind.ACCESS,
    RightKind.RECTIFICATION,
    RightKind.ERASURE,
    RightKind.RESTRICTION,
    RightKind.OBJECTION,
)
_TRUST_RECORD = "the trust's record in the portal admin (ask your platform administrator)"


@dataclass(frozen=True)
class Finding:
    item: int
    title: str
    passed: bool
    problems: tuple[str, ...] = ()

    @property
    def message(self):
        return " ".join(self.problems) if self.problems else "Done."


def _finding(item, title, problems):
    return Finding(item=item, title=title, passed=not problems, problems=tuple(problems))


def _has_section(document, kind):
    return any(s.kind == kind and s.body.strip() for s in document.sections)


def _rights(document):
    return {r.right for r in document.rights}


def _uses_article6(document, *bases):
    return any(b.article6 in bases for b in document.bases)


def controller_identity(d):
    problems = []
    c = d.controller
    if not (c.name.strip() and c.address.strip()):
        problems.append(f"The controller's name and address are missing: complete {_TRUST_RECORD}.")
    if not (d.contact.name.strip() and d.contact.email.strip()):
        problems.append("Say who to contact with questions: fill in 'who to ask' and the contact email on the notice.")
    return _finding(1, "Who the controller is and how to contact them", problems)


def dpo_contact(d):
    problems = []
    if not (d.controller.dpo_name.strip() and d.controller.dpo_email.strip()):
        problems.append(f"The Data Protection Officer's name and email are missing: complete {_TRUST_RECORD}.")
    return _finding(2, "How to contact the Data Protection Officer", problems)


def purposes_and_bases(d):
    problems = []
    if not d.purposes:
        problems.append("List what the data is used for: add at least one row under Purposes.")
    known = d.basis_by_uid()
    for purpose in d.purposes:
        if not any(uid in known for uid in purpose.bases):
            problems.append(f"The purpose '{purpose.name}' has no lawful basis: choose one under Purposes.")
    covered = {uid for b in d.bases if b.article9 for uid in b.special_categories}
    for category in d.categories:
        if category.special and category.uid not in covered:
            problems.append(
                f"'{category.name}' is special category data but no lawful basis gives an Article 9 condition for it: "
                "add one under Lawful bases."
            )
    return _finding(3, "The purposes, and the lawful basis for each", problems)


def legitimate_interests(d):
    problems = [
        f"The basis '{b.title}' uses legitimate interests: state the interest under Lawful bases."
        for b in d.bases
        if b.article6 == Article6.LEGITIMATE_INTERESTS and not b.legitimate_interest.strip()
    ]
    return _finding(4, "The legitimate interests, where the basis is Article 6(1)(f)", problems)


def recipients(d):
    problems = [] if d.recipients else ["Say who you share data with: add rows under Recipients."]
    return _finding(5, "Who we share data with", problems)


def transfers(d):
    problems = [
        f"'{item.name}' sends data outside the UK without a safeguard: add it under {where}."
        for where, items in (("Systems", d.systems), ("Recipients", d.recipients))
        for item in items
        if item.outside_uk and not item.safeguard.strip()
    ]
    return _finding(6, "Transfers outside the UK and their safeguards", problems)


def retention(d):
    problems = []
    if not d.retention:
        problems.append("Say how long data is kept: add rows under Retention rules.")
    problems += [
        f"'{r.record_type}' has no period or criteria: complete it under Retention rules."
        for r in d.retention
        if not r.period.strip()
    ]
    return _finding(7, "How long data is kept, or how that is decided", problems)


def data_rights(d):
    have = _rights(d)
    needed = list(_CORE_RIGHTS)
    # Portability applies only to data processed by consent or contract.
    if _uses_article6(d, Article6.CONSENT, Article6.CONTRACT):
        needed.append(RightKind.PORTABILITY)
    problems = [f"Explain the right '{RightKind(r).label}': add it under Rights." for r in needed if r not in have]
    return _finding(8, "The rights people have", problems)


def consent_withdrawal(d):
    relies_on_consent = _uses_article6(d, Article6.CONSENT) or any(
        b.article9 == Article9.EXPLICIT_CONSENT for b in d.bases
    )
    problems = []
    if relies_on_consent and RightKind.WITHDRAW_CONSENT not in _rights(d):
        problems.append("A lawful basis is consent, so explain how to withdraw consent: add that right under Rights.")
    return _finding(9, "The right to withdraw consent, where a basis is consent", problems)


def complaints(d):
    problems = []
    if RightKind.COMPLAIN_ICO not in _rights(d):
        problems.append("Explain the right to complain to the ICO: add it under Rights.")
    if not d.controller.complaints_contact.strip():
        problems.append(f"The trust's own complaints contact is missing: complete {_TRUST_RECORD}.")
    if not _has_section(d, SectionKind.COMPLAINTS):
        problems.append(
            "Describe our own complaints route and that we acknowledge complaints within 30 days "
            "(Data (Use and Access) Act 2025): add a 'How to complain' section."
        )
    return _finding(10, "How to complain, to us and to the ICO", problems)


def statutory_requirement(d):
    problems = []
    if not _has_section(d, SectionKind.COLLECTING):
        problems.append(
            "Say which information families must give by law and what happens if they don't: "
            "add a 'Collecting information' section."
        )
    return _finding(11, "Whether giving the data is required, and what happens if it isn't", problems)


def automated_decisions(d):
    problems = []
    if not _has_section(d, SectionKind.AUTOMATED_DECISIONS):
        problems.append(
            "Say whether any decisions are made by computer alone: add an 'Automated decision-making' section."
        )
    return _finding(12, "Automated decision-making, including profiling", problems)


def other_sources(d):
    problems = []
    if not (_has_section(d, SectionKind.SOURCES) or any(c.source.strip() for c in d.categories)):
        problems.append(
            "Say what information comes from others (other schools, the local authority, the DfE) and from whom: "
            "add a source to the data categories or a 'Where we get information from' section."
        )
    return _finding(13, "Information we get from other organisations", problems)


def school_details(d):
    """Placeholders left in composed text: unknown names, or school details the school's record lacks."""
    problems = []
    texts = [("the title", d.title), ("the summary", d.summary)] + [
        (f"'{getattr(item, register.label)}' under {register.heading}", getattr(item, name))
        for register in REGISTERS
        for item in getattr(d, register.attr)
        for name in register.texts
    ]
    for where, text in texts:
        for name in placeholders.names_used(text):
            if name in placeholders.PLACEHOLDERS:
                meaning = placeholders.PLACEHOLDERS[name][0]
                problems.append(f"{where} uses {{{name}}} but {meaning} is not recorded: fill it in.")
            else:
                problems.append(f"{where} uses {{{name}}}, which is not a school detail the portal knows.")
    return _finding(14, "School details in the text are filled in", problems)


RULES = (
    controller_identity,
    dpo_contact,
    purposes_and_bases,
    legitimate_interests,
    recipients,
    transfers,
    retention,
    data_rights,
    consent_withdrawal,
    complaints,
    statutory_requirement,
    automated_decisions,
    other_sources,
    school_details,
)


# Never published or released by force: braces would reach parents' pages.
NEVER_FORCED = (14,)


def check_document(document: NoticeDocument) -> list[Finding]:
    """Every checklist item, in order, passed or not."""
    return [rule(document) for rule in RULES]


def failures(document: NoticeDocument) -> list[Finding]:
    return [f for f in check_document(document) if not f.passed]
