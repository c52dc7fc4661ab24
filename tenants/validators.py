from django.core.validators import RegexValidator

ico_registration_validator = RegexValidator(
    r"^Z[A-Z]\d{6}$",
    "An ICO registration number is Z, another capital letter and six digits, for example ZA123456.",
)
urn_validator = RegexValidator(r"^\d{6}$", "A URN is exactly six digits, for example 123456.")
school_slug_validator = RegexValidator(
    r"^[a-z][a-z0-9-]{1,40}[a-z0-9]$",
    "Use 3 to 42 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen.",
)

# Slugs become host names and schema names, so these would clash with the
# portal itself, the template new schools are copied from (school_template),
# or PostgreSQL's own schemas.
RESERVED_SLUGS = frozenset(
    {
        "www",
        "public",
        "admin",
        "static",
        "media",
        "trust",
        "api",
        "mail",
        "template",
        "school-template",
        "information-schema",
    }
)


def slug_problem(slug):
    """Why `slug` cannot name a school, or "" when it can."""
    if slug in RESERVED_SLUGS:
        return f"'{slug}' is reserved; choose another slug."
    if (slug or "").startswith("trust-"):
        return f"'{slug}' cannot be used: names starting with trust- are kept for trusts' template workspaces."
    if (slug or "").startswith("pg-"):
        return f"'{slug}' cannot be used: PostgreSQL refuses schema names starting with pg_; choose another slug."
    return ""
