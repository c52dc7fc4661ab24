"""Blocks -> the registers and narrative sections of a draft, with a report a person can check against the source.

Lists feed registers; what no register takes stays in a narrative section, in
order, so nothing of the source is lost (coverage() measures it). Every
inference the wording does not settle is a Doubt in the report.
"""

import dataclasses
import datetime
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field

from notices import document as doc
from notices.importing.blocks import HEADING, ITEM, PARAGRAPH, TABLE, Block
from notices.models import Article6, Article9, Audience, Placement, RightKind, SectionKind, Sharing
from notices.registers import REGISTERS
from notices.rendering import markdown_as_text

STORAGE = "storage"  # systems and retention share the DfE model's "Storing data" section
CONTACT, TITLE = "contact", "title"

# Section headings, tried in order: narrower ones first ("The National Pupil Database" mentions no sharing,
# but "Youth support services" lists recipients).
_SECTION_ROLES = (
    (r"privacy notice", TITLE),
    (r"national (pupil|student) database|\bnpd\b", SectionKind.NPD),
    (r"youth support", SectionKind.YOUTH_SUPPORT),
    (r"immuni[sz]ation|vaccination", SectionKind.IMMUNISATIONS),
    (r"international|outside the (uk|eea)|overseas", SectionKind.INTERNATIONAL),
    (r"automated", SectionKind.AUTOMATED_DECISIONS),
    (r"categor|type of (data|information)|information (that )?we (collect|hold)|what (data|information)", "categories"),
    (r"lawful basis|legal basis|legal obligations|lawful reason", "bases"),
    (r"why (do )?we (collect|use)|how we use", "purposes"),
    (r"^collecting", SectionKind.COLLECTING),
    (r"storing|retention|how long", STORAGE),
    (r"\bshar(e|ing)\b", "recipients"),
    (r"requesting access|\brights\b|access to (your )?personal", "rights"),
    (r"complain|concern", SectionKind.COMPLAINTS),
    (r"^review|changes to this", SectionKind.REVIEW),
    (r"^contact", CONTACT),
    (r"^introduction|about this notice|who we are", SectionKind.INTRO),
)
# A list's own lead-in ("We store student data on the following systems:") outranks its section's heading.
_LEAD_IN_ROLES = (
    (r"purposes under|lawful basis|legal basis", "bases"),
    (r"categor(y|ies) of|information (that )?(we|the \w+) collects?", "categories"),
    (r"\bsystems?\b|\bsoftware\b", "systems"),
    (r"\bright to\b|\brights\b", "rights"),
    (r"\bshare\b.*\bwith\b", "recipients"),
    (r"\buse\b.*\b(data|information)\b", "purposes"),
)
# Where a narrative section sits when its kind says so; otherwise after the register section before it.
_KIND_PLACEMENT = {
    SectionKind.INTRO: Placement.START,
    SectionKind.COLLECTING: Placement.AFTER_PURPOSES,
    SectionKind.NPD: Placement.AFTER_SHARING,
    SectionKind.YOUTH_SUPPORT: Placement.AFTER_SHARING,
    SectionKind.IMMUNISATIONS: Placement.AFTER_SHARING,
    SectionKind.INTERNATIONAL: Placement.AFTER_SHARING,
    SectionKind.AUTOMATED_DECISIONS: Placement.AFTER_RIGHTS,
    SectionKind.COMPLAINTS: Placement.AFTER_RIGHTS,
    SectionKind.REVIEW: Placement.END,
}
_ROLE_PLACEMENT = {
    TITLE: Placement.START,
    "categories": Placement.AFTER_CATEGORIES,
    "bases": Placement.AFTER_PURPOSES,
    "purposes": Placement.AFTER_PURPOSES,
    STORAGE: Placement.AFTER_STORAGE,
    "recipients": Placement.AFTER_SHARING,
    "rights": Placement.AFTER_RIGHTS,
    CONTACT: Placement.END,
}

# Article 6(1): the first rule whose wording matches wins, so "unable to give consent" is vital interests.
_ARTICLE6 = (
    (r"vital interests?", Article6.VITAL_INTERESTS, ""),
    (r"legitimate interests?", Article6.LEGITIMATE_INTERESTS, ""),
    (r"public task|public interest|official authority", Article6.PUBLIC_TASK, ""),
    (
        r"legitimate activit",
        Article6.PUBLIC_TASK,
        "'legitimate activities' is not the wording of any Article 6 basis; a school's own tasks are usually its "
        "public task (e), but check it is not legitimate interests (f).",
    ),
    (
        r"legal obligation|required by law|the law (says|requires)|\bcensus|\bstatutory|obligations? to",
        Article6.LEGAL_OBLIGATION,
        "",
    ),
    (r"\bcontract", Article6.CONTRACT, ""),
    (r"\bconsent", Article6.CONSENT, ""),
)
_ARTICLE9 = (
    (r"substantial public interest", Article9.SUBSTANTIAL_PUBLIC_INTEREST),
    (r"explicit consent", Article9.EXPLICIT_CONSENT),
    (r"public health", Article9.PUBLIC_HEALTH),
    (r"health (or|and) social care|medical diagnosis|occupational medicine", Article9.HEALTH_SOCIAL_CARE),
    (r"employment|social security|social protection", Article9.EMPLOYMENT_SOCIAL_PROTECTION),
    (r"legal claims", Article9.LEGAL_CLAIMS),
    (r"archiving|scientific research", Article9.ARCHIVING_RESEARCH),
)
_LAW = re.compile(
    r"(?:(?:[Rr]egulation|[Ss]ection|[Aa]rticle)\s+\d+[A-Z]?(?:\(\d+\))?(?:\([a-z]\))?\s+of\s+)?"
    r"(?:[Tt]he\s+)?(?:[A-Z][\w’']*\s+|\([^()]{1,60}\)\s+|(?:of|and|for|on|about)\s+)*?(?:Act|Regulations?)\s+\d{4}"
    r"|\bArticle\s+\d+(?:\(\d+\))?(?:\([a-z]\))?",
)
# Rights in the order tried: "object to decisions ... automated" is about automated decisions, not objection.
_RIGHTS = (
    (r"automated|profiling", (RightKind.AUTOMATED_DECISIONS,)),
    (r"direct marketing", (RightKind.DIRECT_MARKETING,)),
    (r"withdraw", (RightKind.WITHDRAW_CONSENT,)),
    (r"compensation", (RightKind.COMPENSATION,)),
    (r"portab|moved to another", (RightKind.PORTABILITY,)),
    (r"information commissioner|\bico\b", (RightKind.COMPLAIN_ICO,)),
    (r"\bobject to (?!decisions)", (RightKind.OBJECTION,)),
    (r"rectif|inaccurate|correct", (RightKind.RECTIFICATION,)),
    (r"block|restrict", (RightKind.RESTRICTION,)),
    (r"eras|delet|destroy", (RightKind.ERASURE,)),
    (r"request access|right of access|subject access|access to (the )?information", (RightKind.ACCESS,)),
)
_SPECIAL = re.compile(
    r"ethnic|medical|\bhealth(care)?\b(?! and safety)|relig|biometric|sexual|genetic|trade union|political|"
    r"special educational needs|\bsend\b",
    re.IGNORECASE,
)
_EXAMPLES_SPLIT = re.compile(
    r"\s*\((?:such as|e\.g\.?|eg|for example|including)\s+|\s+(?:such as|e\.g\.?|for example)\s+|\s*\(|:\s+|\s+[-–—]\s+"
)
_NAME_SPLIT = re.compile(r"\s+[-–—]\s+|:\s+")
_RECIPIENT_SPLIT = re.compile(r"\s+[-–—]\s+|\s+who\s+")
_RETENTION = re.compile(
    r"\b(?:hold|keep|retain|store)s?\s+(?P<what>[\w’' ]{3,60}?)\s+"
    r"(?P<period>(?:for\s+\d+|until|in accordance with)\b.*)",
    re.IGNORECASE,
)
_KEPT = re.compile(
    r"(?P<what>[\w’' ]{3,60}?)\s+(?:are|is)\s+(?:kept|retained|held)\s+(?P<period>for\s+\d+.*)", re.IGNORECASE
)
_WORD = re.compile(r"[\w]+(?:['’][\w]+)*")
RECOGNISED_LITTLE = 0.2


@dataclass(frozen=True)
class Proposal:
    register: str  # a REGISTERS attr
    label: str
    source: str  # the words of the source it came from


@dataclass(frozen=True)
class Doubt:
    register: str
    label: str
    why: str


@dataclass
class Report:
    proposals: list[Proposal] = field(default_factory=list)
    doubts: list[Doubt] = field(default_factory=list)
    narrative: list[str] = field(default_factory=list)  # headings of the sections left as narrative
    recognised: float = 0.0  # share of the source's words that went into a register or a recognised section
    coverage: float = 0.0  # share of the source's words found in the composed draft

    def counts(self):
        return Counter(proposal.register for proposal in self.proposals)

    @property
    def recognised_little(self):
        return self.recognised < RECOGNISED_LITTLE

    def summary_lines(self):
        lines = [f"Recognised {self.recognised:.0%} of the source; {self.coverage:.1%} of its words are in the draft."]
        if self.recognised_little:
            lines.append("Recognised very little of it: check that this file is a privacy notice.")
        counts = self.counts()
        for register in REGISTERS:
            if register.attr != "sections":
                lines.append(f"{register.heading}: {counts.get(register.attr, 0)} proposed")
        lines.append(f"Narrative sections: {len(self.narrative)}")
        lines += [f"Unsure ({doubt.register}: {doubt.label}): {doubt.why}" for doubt in self.doubts]
        return lines


@dataclass
class Content:
    """What the source says, ready to become a NoticeDocument (content.document)."""

    title: str = ""
    contact_name: str = ""
    contact_role: str = ""
    items: dict[str, list] = field(default_factory=lambda: {register.attr: [] for register in REGISTERS})

    def document(self, *, slug, title, audience, contact_email, review_by=None):
        review_by = review_by or datetime.date.today() + datetime.timedelta(days=365)
        blank = doc.Controller("", "", "", "", "", "")
        return doc.NoticeDocument(
            schema=doc.SCHEMA_VERSION,
            title=title or self.title or "Privacy notice",
            slug=slug,
            audience=audience,
            audience_label=Audience(audience).label,
            summary="",
            review_by=review_by.isoformat(),
            contact=doc.Contact(self.contact_name or self.contact_role, self.contact_role, contact_email, ""),
            controller=blank,
            school=doc.SchoolInfo("", slug, "", "", "", ""),
            **{attr: tuple(items) for attr, items in self.items.items()},
        )


def _uid():
    return str(uuid.uuid4())


def _role(text, rules):
    lowered = text.lower()
    return next((role for pattern, role in rules if re.search(pattern, lowered)), None)


def _split(text, pattern):
    parts = pattern.split(text, maxsplit=1)
    if len(parts) == 1:
        return text.strip(), ""
    return parts[0].strip(), parts[1].strip().removesuffix(")").strip()


def _fit(text, limit):
    """`text` cut to fit a column of `limit` characters at a word boundary, and the rest (empty if it fits)."""
    if len(text) <= limit:
        return text, ""
    cut = text.rfind(" ", 0, limit + 1)
    cut = cut if cut > 0 else limit
    return text[:cut].rstrip(), text[cut:].strip()


def _fits(*pairs):
    """True if each (text, limit) fits its column whole."""
    return all(len(text) <= limit for text, limit in pairs)


def laws_named(text):
    """The legislation `text` names, in order and once each, e.g. "Education Act 1996; Article 6"."""
    found = []
    for match in _LAW.finditer(text):
        law = match.group(0).strip()
        if law.lower().startswith("the "):
            law = law[4:]
        if law.lower() not in {f.lower() for f in found}:
            found.append(law)
    return "; ".join(found)


def _escape(text):
    # Section bodies are Markdown; the source's own characters must read as themselves, never as markup.
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"([\\`*_\[\]])", r"\\\1", text)
    return re.sub(
        r"^(\d+)\.(\s)|^([#+-])", lambda m: f"{m.group(1)}\\.{m.group(2)}" if m.group(1) else f"\\{m.group(3)}", text
    )


class _Mapper:
    def __init__(self):
        self.content, self.report = Content(), Report()
        self.recognised_words = 0
        self.placement = Placement.START
        self.leftover = []  # lines too long for the register they belong to

    def propose(self, register, item, label, source):
        self.content.items[register].append(item)
        self.report.proposals.append(Proposal(register, label, source))

    def doubt(self, register, label, why):
        self.report.doubts.append(Doubt(register, label, why))

    # Registers -----------------------------------------------------------------------------------

    def too_long(self, register, text):
        """A line too long for one row of `register` is kept, whole, as narrative for the DPL to place."""
        self.leftover.append(text)
        self.doubt(register, _fit(text, 60)[0] + "…", "too long for one row; kept word for word in 'Text to place'.")

    def category(self, text):
        name, examples = _split(text, _EXAMPLES_SPLIT)
        special = bool(_SPECIAL.search(text))
        # The examples column has no limit: whatever of the name does not fit leads them.
        name, rest = _fit(name, 200)
        examples = " ".join(part for part in (rest, examples) if part)
        item = doc.Category(uid=_uid(), name=name, examples=examples, special=special, source="")
        self.propose("categories", item, name, text)
        if special:
            self.doubt("categories", name, "marked as special category data (Article 9) from its wording.")

    def basis(self, text):
        found = next((rule for rule in _ARTICLE6 if re.search(rule[0], text, re.IGNORECASE)), None)
        if found is None:
            return False
        _, letter, why = found
        article9 = next((code for pattern, code in _ARTICLE9 if re.search(pattern, text, re.IGNORECASE)), "")
        title = letter.label.split(": ", 1)[1].capitalize()
        taken = sum(1 for basis in self.content.items["bases"] if basis.article6 == letter)
        title = f"{title} ({taken + 1})" if taken else title
        item = doc.Basis(
            uid=_uid(),
            title=title,
            article6=letter.value,
            article6_label=letter.label,
            article9=article9,
            article9_label=Article9(article9).label if article9 else "",
            special_categories=(),
            legislation=laws_named(text)[:300],
            explanation=text,
            legitimate_interest=text if letter == Article6.LEGITIMATE_INTERESTS else "",
        )
        self.propose("bases", item, title, text)
        self.doubt("bases", title, why or f"{letter.label} inferred from the wording; check it.")
        return True

    def purpose(self, text):
        name, detail = _fit(text, 300)  # the detail column has no limit
        self.propose("purposes", doc.Purpose(uid=_uid(), name=name, detail=detail, bases=()), name, text)

    def system(self, text):
        name, used_for = _split(text.removesuffix("."), _NAME_SPLIT)
        if not _fits((name, 200), (used_for, 300)):
            return self.too_long("systems", text)
        item = doc.System(uid=_uid(), name=name, used_for=used_for, supplier="", outside_uk=False, safeguard="")
        self.propose("systems", item, name, text)
        if not used_for:
            self.doubt("systems", name, "the source does not say what it is used for.")

    def retention(self, record_type, period, source):
        record_type = record_type.strip()
        record_type = record_type[:1].upper() + record_type[1:]
        if not _fits((record_type, 200), (period, 300)):
            return self.too_long("retention", source)
        self.propose(
            "retention",
            doc.Retention(uid=_uid(), record_type=record_type, period=period),
            record_type,
            source,
        )

    def recipient(self, text, *, sharing=Sharing.ROUTINE, legal_basis=""):
        name, reason = _split(text, _RECIPIENT_SPLIT)
        if not _fits((name, 200), (reason, 400), (legal_basis, 300)):
            return self.too_long("recipients", text)
        item = doc.Recipient(
            uid=_uid(),
            name=name,
            reason=reason,
            sharing=sharing.value,
            sharing_label=sharing.label,
            legal_basis=legal_basis,
            outside_uk=False,
            safeguard="",
        )
        self.propose("recipients", item, name, text)
        if not reason:
            self.doubt("recipients", name, "the source does not say why it is shared; see the sharing sections.")

    def rights(self, text):
        """Rights the text names that the draft lacks yet; False if it names none."""
        kinds = [kind for pattern, found in _RIGHTS if re.search(pattern, text, re.IGNORECASE) for kind in found]
        if not kinds:
            return False
        taken = {right.right for right in self.content.items["rights"]}
        for kind in dict.fromkeys(kinds):
            if kind.value in taken:
                self.doubt("rights", kind.label, "named again later in the source; the first mention was kept.")
                continue
            item = doc.Right(uid=_uid(), right=kind.value, label=kind.label, how_to_exercise=text)
            self.propose("rights", item, kind.label, text)
        return True

    # Sections ------------------------------------------------------------------------------------

    def section(self, heading, blocks):
        role = _role(heading, _SECTION_ROLES) if heading else None
        if heading and role == TITLE and not self.content.title:
            self.content.title = heading
        if role in _ROLE_PLACEMENT:
            self.placement = _ROLE_PLACEMENT[role]
        kind = role if isinstance(role, SectionKind) else SectionKind.OTHER
        placement = _KIND_PLACEMENT.get(kind, self.placement)
        law_in_section = laws_named(" ".join(block.text for block in blocks))
        kept = []  # blocks no register took, in order
        i = 0
        while i < len(blocks):
            block = blocks[i]
            if block.kind == ITEM:
                run = []
                while i < len(blocks) and blocks[i].kind == ITEM:
                    run.append(blocks[i])
                    i += 1
                lead_in = kept[-1].text if kept and kept[-1].kind == PARAGRAPH else ""
                kept += self.items(run, lead_in, role, law_in_section)
                continue
            if block.kind == TABLE:
                kept += self.table(block)
            elif not self.paragraph(block.text, role):
                kept.append(block)
            i += 1
        if role == CONTACT:
            self.contact(" ".join(block.text for block in blocks if block.kind == PARAGRAPH))
        if kept:
            body = "\n\n".join(_markdown(block) for block in kept)
            title = heading or self.content.title or "Introduction"
            title, rest = _fit(title, 200)
            body = f"{rest}\n\n{body}" if rest else body  # a heading too long to be one keeps its words in the body
            item = doc.Section(uid=_uid(), heading=title, kind=kind.value, placement=placement.value, body=body)
            self.content.items["sections"].append(item)
            self.report.narrative.append(title)
        taken = _count(blocks) - _count(kept)
        self.recognised_words += taken + (_count(kept) if role not in (None, TITLE) else 0)

    def items(self, run, lead_in, role, law_in_section):
        """Feed a list to its register; the blocks of it that stay narrative."""
        list_role = _role(lead_in, _LEAD_IN_ROLES) if lead_in else None
        if isinstance(role, SectionKind) and role != SectionKind.YOUTH_SUPPORT:
            return run  # lists inside NPD, immunisation ... sections describe the DfE's or others' processing
        if role == SectionKind.YOUTH_SUPPORT:
            for block in run:
                self.recipient(block.text, sharing=Sharing.STATUTORY, legal_basis=law_in_section)
            return []
        target = list_role or (role if role in ("categories", "bases", "purposes", "recipients", "rights") else None)
        if target is None and role == STORAGE:
            target = "systems"
        left = []
        for block in run:
            text = block.text
            if target == "categories":
                self.category(text)
            elif target == "purposes":
                self.purpose(text)
            elif target == "systems":
                self.system(text)
            elif target == "recipients":
                sharing = Sharing.ON_REQUEST if re.search(r"\bmay\b", lead_in) else Sharing.ROUTINE
                self.recipient(text, sharing=sharing)
            elif target == "bases":
                if not self.basis(text):
                    self.doubt("bases", text[:60], "no Article 6 basis could be read from it; kept as narrative.")
                    left.append(block)
            elif not (target == "rights" and self.rights(text)):
                left.append(block)
        return left

    def paragraph(self, text, role):
        """Give a paragraph to a register if it belongs to one; True if one took it."""
        if role == "bases":
            return self.basis(text)
        if role == "rights" and re.search(r"request access|information commissioner", text, re.IGNORECASE):
            return self.rights(text)
        retention = _RETENTION.search(text) or _KEPT.search(text)
        if retention and (role == STORAGE or re.search(r"\d+\s+years", retention.group("period"))):
            self.retention(retention.group("what"), retention.group("period").strip().removesuffix("."), text)
            self.doubt("retention", retention.group("what"), "read from a sentence; check the record type and period.")
            return True
        return False

    def table(self, block):
        header = " ".join(block.rows[0]).lower()
        body = [row for row in block.rows[1:] if row and row[0]]
        if re.search(r"retention|how long|period|kept", header):
            for row in body:
                self.retention(row[0], " ".join(row[1:]), " | ".join(row))
            return []
        if re.search(r"system|software|supplier|\bapps?\b", header):
            for row in body:
                item = doc.System(
                    uid=_uid(),
                    name=row[0][:200],
                    used_for=(row[1] if len(row) > 1 else "")[:300],
                    supplier=(" ".join(row[2:]))[:200],
                    outside_uk=False,
                    safeguard="",
                )
                self.propose("systems", item, row[0], " | ".join(row))
            return []
        return [block]

    def contact(self, text):
        found = re.search(
            r"contact\s+(?:the\s+)?(?P<who>[^.(]+?)\s*(?:\((?P<role>[^)]+)\))?(?:\s+at your school)?\s*[.]?$", text
        )
        if found is None:
            return
        who, role = found.group("who").strip(), (found.group("role") or "").strip()
        self.content.contact_name, self.content.contact_role = (who, role) if role else ("", who)
        self.doubt("contact", who, "the draft's contact was read from the Contact section; add an email and phone.")


def _count(blocks):
    return len(source_words(blocks))


def _markdown(block):
    if block.kind == ITEM:
        return f"{'1.' if block.ordered else '-'} {_escape(block.text)}"
    if block.kind == TABLE:
        return "\n".join(f"- {_escape(' | '.join(row))}" for row in block.rows)
    return _escape(block.text)


def map_blocks(blocks: list[Block]) -> tuple[Content, Report]:
    """The registers and sections `blocks` propose, and the report of how each was found."""
    mapper = _Mapper()
    heading, section = "", []
    for block in blocks:
        if block.kind == HEADING:
            mapper.section(heading, section)
            heading, section = block.text, []
        else:
            section.append(block)
    mapper.section(heading, section)
    if mapper.leftover:
        body = "\n\n".join(_markdown(Block(PARAGRAPH, text)) for text in mapper.leftover)
        place = doc.Section(
            uid=_uid(), heading="Text to place", kind=SectionKind.OTHER.value, placement=Placement.END.value, body=body
        )
        mapper.content.items["sections"].append(place)
        mapper.report.narrative.append(place.heading)
    purposes, bases = mapper.content.items["purposes"], mapper.content.items["bases"]
    if purposes and bases:
        uids = tuple(basis.uid for basis in bases)
        mapper.content.items["purposes"] = [dataclasses.replace(purpose, bases=uids) for purpose in purposes]
        mapper.doubt("purposes", "every purpose", "linked to every lawful basis found: the source does not pair them.")
    total = len(source_words(blocks))
    mapper.report.recognised = min(1.0, mapper.recognised_words / total) if total else 0.0
    return mapper.content, mapper.report


def _words(text):
    return [word.lower().replace("’", "'") for word in _WORD.findall(text)]


def source_words(blocks):
    """The words of the source a reader must find again: all but headings, bullets and table header rows."""
    words = []
    for block in blocks:
        if block.kind == TABLE:
            words += [word for row in block.rows[1:] for cell in row for word in _words(cell)]
        elif block.kind != HEADING:
            words += _words(block.text)
    return words


def document_words(document):
    """Every word a reader of `document` sees, section bodies as rendered."""
    words = _words(" ".join((document.title, document.summary, document.contact.name, document.contact.role)))
    for register in REGISTERS:
        for item in getattr(document, register.attr):
            for name in register.columns:
                value = getattr(item, name)
                if isinstance(value, str):
                    words += _words(markdown_as_text(value) if name == "body" else value)
    return words


def coverage(blocks, document):
    """The share of the source's words (counted with repeats) that the composed document holds."""
    wanted = Counter(source_words(blocks))
    if not wanted:
        return 1.0
    found = wanted & Counter(document_words(document))
    return sum(found.values()) / sum(wanted.values())
