"""School details in trust text: a small, fixed set of {placeholders}, filled per school at compose time.

Deliberately not a template engine. A placeholder is a name from PLACEHOLDERS
between braces; the value is a fixed field of the school, its trust or the
notice, chosen here. Anything else in braces is an error: the editor refuses
it (validate_placeholders) and the completeness check fails on it, so braces
never reach a parent's page.
"""

import re

from django.core.exceptions import ValidationError

# name -> (what the editor is told it means, how the value is read from (school, notice)).
PLACEHOLDERS = {
    "school_name": ("the school's name", lambda school, notice: school.name),
    "headteacher": ("the headteacher's name", lambda school, notice: school.headteacher),
    "school_email": ("the school's contact email", lambda school, notice: school.contact_email),
    "school_address": ("the school's address", lambda school, notice: school.address),
    "dpl_name": ("who to ask about this notice", lambda school, notice: notice.contact_name),
    "dpl_email": ("their email", lambda school, notice: notice.contact_email),
    "trust_name": ("the trust's name", lambda school, notice: school.trust.name),
}

_BRACED = re.compile(r"\{([^{}]*)\}")


def names_used(text):
    return [match.strip() for match in _BRACED.findall(text or "")]


def unknown(text):
    """The braced names in `text` that are not placeholders, in order."""
    return [name for name in names_used(text) if name not in PLACEHOLDERS]


def help_text():
    return "School details: " + ", ".join(f"{{{name}}} ({meaning})" for name, (meaning, _) in PLACEHOLDERS.items())


def validate_placeholders(text):
    bad = unknown(text)
    if bad:
        names = ", ".join("{" + name + "}" for name in bad)
        raise ValidationError(
            f"{names} is not a school detail the portal knows. Use one of: "
            + ", ".join("{" + name + "}" for name in PLACEHOLDERS)
            + "."
        )


def values_for(school, notice):
    """Each placeholder's value for this school and notice; an empty value stays unfilled, for the check to report."""
    return {name: read(school, notice) or "" for name, (_, read) in PLACEHOLDERS.items()}


def stand_ins():
    """What a template preview shows in place of each school's value."""
    return {name: f"[{meaning}]" for name, (meaning, _) in PLACEHOLDERS.items()}


def fill(text, values):
    """`text` with each known placeholder that has a value replaced; anything else left as written."""

    def one(match):
        value = values.get(match.group(1).strip())
        return value if value else match.group(0)

    return _BRACED.sub(one, text) if "{" in text else text
