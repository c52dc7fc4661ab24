"""The parts of the notice workspace, declared once: the overview, the navigation and the part pages iterate here.

Each part is edited on its own page: "about" is the notice's own fields, the
others one or two registers (notices.registers). FIX_AT says, for each item of
the completeness check (notices.checks), which part a DPL fixes it in.
"""

from dataclasses import dataclass

from notices.registers import BY_ATTR


@dataclass(frozen=True)
class Part:
    slug: str
    title: str
    registers: tuple[str, ...]  # notices.registers attrs, in page order
    intro: str

    @property
    def register_list(self):
        return [BY_ATTR[attr] for attr in self.registers]


ABOUT = "about"

PARTS = (
    Part(
        ABOUT,
        "Who we are and who to ask",
        (),
        "The notice's title and summary, who families can ask about it, and when it must next be reviewed.",
    ),
    Part(
        "categories",
        "The information we hold",
        ("categories",),
        "Each kind of information the school holds, in everyday words, with examples parents will recognise.",
    ),
    Part(
        "purposes",
        "Why we use it and the lawful basis",
        ("bases", "purposes"),
        "First the lawful bases the school relies on, then each use of the information with the bases it rests on.",
    ),
    Part(
        "systems",
        "Where we store it",
        ("systems",),
        "The systems and apps that hold the information, who supplies them, and whether data leaves the UK.",
    ),
    Part(
        "retention", "How long we keep it", ("retention",), "How long each kind of record is kept, or what decides it."
    ),
    Part(
        "recipients",
        "Who we share it with",
        ("recipients",),
        "Each organisation the school shares information with, why, and on what legal basis.",
    ),
    Part("rights", "Your rights", ("rights",), "The rights families have and how to use each one."),
    Part(
        "sections",
        "Narrative sections",
        ("sections",),
        "The sections written as text: introduction, collecting, sources, complaints and others.",
    ),
)
BY_SLUG = {part.slug: part for part in PARTS}
PART_OF_REGISTER = {attr: part for part in PARTS for attr in part.registers}

# Completeness check item -> the part where it is fixed (notices.checks.RULES, items 1-14).
FIX_AT = {
    1: ABOUT,
    2: ABOUT,  # the DPO is the trust's record; the page says so
    3: "purposes",
    4: "purposes",
    5: "recipients",
    6: "systems",
    7: "retention",
    8: "rights",
    9: "rights",
    10: "sections",
    11: "sections",
    12: "sections",
    13: "categories",
    14: "sections",
}
