"""Plain-words labels and help for the workspace's fields, with short examples on the DfE model notice's topics.

Questions where the law is involved ("Does this data leave the UK?") instead
of codes. Keyed by model and field name; a field not named here keeps the
model's own label and help.
"""

from django import forms

from notices.models import DataCategory, LawfulBasis, Notice, Purpose, Recipient, RetentionRule, Right, Section, System

_SAFEGUARD = (
    "If it does, which safeguard protects it?",
    "Required when data leaves the UK. For example: 'UK adequacy regulations (the EU)' or 'an International Data "
    "Transfer Agreement with the supplier'.",
)
_LEAVES_UK = (
    "Does this data leave the UK?",
    "Tick if it is stored in, or can be reached from, another country (ask the supplier where its servers are).",
)

HELP = {
    Notice: {
        "title": ("Title", "What parents see at the top. For example: 'Privacy notice for pupils and parents'."),
        "summary": (
            "Summary",
            "The first thing a parent reads: three to six short sentences. For example: 'We collect information "
            "about pupils and their families to teach, keep children safe and meet the law. We share it only "
            "where the law says we must or where it helps your child.'",
        ),
        "contact_name": ("Who to ask", "A person or office families can write to. For example: 'The school office'."),
        "contact_email": ("Their email", "For example: 'office@school.example.org'."),
        "review_by": ("Review by", "When the notice must next be checked: at least once a year."),
    },
    DataCategory: {
        "name": ("Kind of information", "In everyday words. For example: 'Attendance'."),
        "examples": ("Examples", "What parents will recognise. For example: 'sessions attended, absences and why'."),
        "special": (
            "Is any of this health, ethnicity, religion or biometric data?",
            "Tick for special category data: health, ethnicity, religion or belief, sexual life, genetic or biometric "
            "data (such as fingerprints for cashless catering). It then needs an Article 9 condition under "
            "'Why we use it and the lawful basis'.",
        ),
        "source": (
            "Where it comes from, if not from the family",
            "For example: 'the previous school, in the Common Transfer File' (Article 14).",
        ),
    },
    LawfulBasis: {
        "title": ("Name of this basis", "A short name. For example: 'Census returns to the DfE'."),
        "article6": (
            "Lawful basis (Article 6)",
            "Public task: what a school does because the law gives it the job, such as teaching and keeping pupils "
            "safe. Legal obligation: a law says the school must, such as the school census. Consent: only where a "
            "family can say no and lose nothing, such as photos on the website.",
        ),
        "article9": (
            "Condition for special category data (Article 9)",
            "Only where health, ethnicity, religion or biometric data is involved. For schools this is usually "
            "substantial public interest (such as safeguarding) or explicit consent (such as fingerprints for "
            "catering).",
        ),
        "special_categories": (
            "Which special category data this condition covers",
            "Tick each kind of special category information this basis is used for.",
        ),
        "legislation": ("The law relied on", "For example: 'Education Act 1996, section 537A'."),
        "explanation": ("Why it applies, in plain words", "For example: 'The law says schools must send the census.'"),
        "legitimate_interest": (
            "The legitimate interest",
            "Only for legitimate interests: the interest the school pursues, such as 'keeping the site secure'.",
        ),
    },
    Purpose: {
        "name": ("What the information is used for", "For example: 'to check how well pupils are doing'."),
        "detail": ("More detail (optional)", "For example: 'so that teachers can plan lessons'."),
        "bases": ("Lawful bases", "Tick each lawful basis this use rests on: at least one."),
    },
    System: {
        "name": ("System or app", "For example: 'Arbor'."),
        "used_for": ("What it is used for", "For example: 'our management information system'."),
        "supplier": ("Supplier", "For example: 'Arbor Education Partners'."),
        "outside_uk": _LEAVES_UK,
        "safeguard": _SAFEGUARD,
    },
    RetentionRule: {
        "record_type": ("Kind of record", "For example: 'Pupil's educational record'."),
        "period": ("How long we keep it", "Or what decides it. For example: 'until the pupil's 25th birthday'."),
    },
    Recipient: {
        "name": ("Who", "For example: 'The Department for Education (DfE)'."),
        "reason": ("Why we share", "For example: 'the law says we must send the school census'."),
        "sharing": ("How often", "Whether the law requires it, it happens routinely, or only when asked."),
        "legal_basis": (
            "The law or basis for sharing",
            "For example: 'Education (Information About Individual Pupils) (England) Regulations 2013'.",
        ),
        "outside_uk": _LEAVES_UK,
        "safeguard": _SAFEGUARD,
    },
    Right: {
        "right": ("Right", "Each right once."),
        "how_to_exercise": ("How to use it", "For example: 'Email the school office; we reply within one month.'"),
    },
    Section: {
        "heading": ("Heading", "For example: 'The National Pupil Database'."),
        "kind": (
            "What the section is about",
            "The completeness check finds some sections by this: how to complain, collecting, where we get "
            "information from, decisions made by computer.",
        ),
        "placement": ("Where it goes", "Where the section sits among the lists."),
        "body": (
            "Text",
            "Short paragraphs with a blank line between them; '- ' starts a list item, [words](https://…) makes a "
            "link, ### starts a sub-heading.",
        ),
    },
}


def apply_help(model, fields):
    """Set the plain label and help on a form's `fields` (a dict of name -> form field)."""
    for name, (label, help_text) in HELP.get(model, {}).items():
        if name in fields:
            field = fields[name]
            field.label, field.help_text = label, help_text
            if field.error_messages.get("required") == forms.Field.default_error_messages["required"]:
                # A form's own wording for a missing value (PurposeForm's) stays.
                field.error_messages["required"] = f"Fill in '{label}': it cannot be left empty."
