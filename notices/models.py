"""A school's privacy notice as structured, history-tracked content (tenant schema).

These models hold the working draft. Public pages never read a draft row: they
read NoticeVersion rows, which freeze a composed document, and Withdrawal
rows, which record that a version was taken down.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from notices.placeholders import validate_placeholders
from tenants.appendonly import AppendOnlyModel


def school_history(**options):
    """History for a school's model, whose rows name their author without a database key.

    School tables keep no foreign key into the public schema. Each such key puts
    triggers on the public table, so users would carry triggers from every school:
    each new school would cost more to create than the last, and every change to a
    user row would walk them all. Users are never deleted (a trigger on
    tenants_user refuses it), so a key would guard nothing (docs/decisions/0005).
    """
    return HistoricalRecords(user_db_constraint=False, **options)


class Audience(models.TextChoices):
    PUPILS_PARENTS = "pupils_parents", "Pupils and parents"
    WORKFORCE = "workforce", "Workforce"
    GOVERNORS = "governors", "Governors and volunteers"
    VISITORS = "visitors", "Visitors"


class Article6(models.TextChoices):
    CONSENT = "a", "Article 6(1)(a): consent"
    CONTRACT = "b", "Article 6(1)(b): contract"
    LEGAL_OBLIGATION = "c", "Article 6(1)(c): legal obligation"
    VITAL_INTERESTS = "d", "Article 6(1)(d): vital interests"
    PUBLIC_TASK = "e", "Article 6(1)(e): public task"
    LEGITIMATE_INTERESTS = "f", "Article 6(1)(f): legitimate interests"


class Article9(models.TextChoices):
    EXPLICIT_CONSENT = "a", "Article 9(2)(a): explicit consent"
    EMPLOYMENT_SOCIAL_PROTECTION = "b", "Article 9(2)(b): employment, social security and social protection law"
    VITAL_INTERESTS = "c", "Article 9(2)(c): vital interests"
    NOT_FOR_PROFIT = "d", "Article 9(2)(d): not-for-profit body"
    MADE_PUBLIC = "e", "Article 9(2)(e): made public by the person"
    LEGAL_CLAIMS = "f", "Article 9(2)(f): legal claims"
    SUBSTANTIAL_PUBLIC_INTEREST = "g", "Article 9(2)(g): substantial public interest"
    HEALTH_SOCIAL_CARE = "h", "Article 9(2)(h): health or social care"
    PUBLIC_HEALTH = "i", "Article 9(2)(i): public health"
    ARCHIVING_RESEARCH = "j", "Article 9(2)(j): archiving, research or statistics"


class Sharing(models.TextChoices):
    STATUTORY = "statutory", "Required by law"
    ROUTINE = "routine", "Routinely"
    ON_REQUEST = "on_request", "Only when asked"


class RightKind(models.TextChoices):
    ACCESS = "access", "Ask for a copy of your information (right of access)"
    RECTIFICATION = "rectification", "Have wrong information put right (rectification)"
    ERASURE = "erasure", "Have information deleted (erasure)"
    RESTRICTION = "restriction", "Limit how we use your information (restriction)"
    OBJECTION = "objection", "Object to how we use your information (objection)"
    PORTABILITY = "portability", "Have your information moved to another organisation (portability)"
    DIRECT_MARKETING = "direct_marketing", "Stop us using your information for direct marketing"
    AUTOMATED_DECISIONS = "automated_decisions", "Not have decisions made about you by computer alone"
    WITHDRAW_CONSENT = "withdraw_consent", "Withdraw your consent at any time"
    COMPENSATION = "compensation", "Claim compensation if a breach causes you harm"
    COMPLAIN_ICO = "complain_ico", "Complain to the Information Commissioner's Office"


class SectionKind(models.TextChoices):
    INTRO = "intro", "Introduction"
    COLLECTING = "collecting", "Collecting information (must you give it?)"
    SOURCES = "sources", "Where we get information from (Article 14)"
    NPD = "npd", "The National Pupil Database"
    YOUTH_SUPPORT = "youth_support", "Youth support services"
    IMMUNISATIONS = "immunisations", "Immunisations"
    INTERNATIONAL = "international", "Transferring data internationally"
    AUTOMATED_DECISIONS = "automated_decisions", "Automated decision-making"
    COMPLAINTS = "complaints", "How to complain"
    REVIEW = "review", "Review of this notice"
    OTHER = "other", "Other"


class Placement(models.TextChoices):
    """Where a narrative section sits among the registers, in DfE model order."""

    START = "start", "Before the categories of information"
    AFTER_CATEGORIES = "after_categories", "After the categories of information"
    AFTER_PURPOSES = "after_purposes", "After why we use it and the lawful basis"
    AFTER_STORAGE = "after_storage", "After storing data (systems and retention)"
    AFTER_SHARING = "after_sharing", "After who we share with"
    AFTER_RIGHTS = "after_rights", "After your rights"
    END = "end", "At the end, after the contact details"


def is_free_text(field):
    """A column holding words a person wrote, where placeholders may appear: not a choice code, flag or date."""
    return isinstance(field, models.CharField | models.TextField) and not field.choices


def check_placeholders(obj, exclude):
    """Model validation: every braced name in the text fields is a known placeholder (notices.placeholders)."""
    errors = {}
    for field in obj._meta.concrete_fields:
        if is_free_text(field) and field.name not in exclude:
            try:
                validate_placeholders(getattr(obj, field.attname))
            except ValidationError as exc:
                errors[field.name] = exc.messages
    if errors:
        raise ValidationError(errors)


class ItemState(models.TextChoices):
    """How a school's row relates to its trust's template (notices.following)."""

    LOCAL = "local", "The school's own"
    INHERITED = "inherited", "From the trust"
    REPLACED = "replaced", "The school's wording of a trust item"
    HIDDEN = "hidden", "A trust item the school does not use"


class Notice(models.Model):
    title = models.CharField(max_length=200)
    # Fixed once a version is published (a trigger refuses the change): the public
    # addresses parents hold name it.
    slug = models.SlugField(
        max_length=80,
        unique=True,
        help_text="Part of the public address, /privacy/this-part/. It cannot change once the notice is published.",
    )
    audience = models.CharField(max_length=30, choices=Audience.choices, default=Audience.PUPILS_PARENTS)
    summary = models.TextField(
        help_text="The first thing a parent reads: three to six short sentences in plain language."
    )
    contact_name = models.CharField("who to ask", max_length=200)
    contact_role = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField()
    contact_phone = models.CharField(max_length=40, blank=True)
    review_by = models.DateField(help_text="When this notice must next be reviewed.")
    # The trust template this notice follows, and the release its draft is synced
    # to (notices.following). No key into the public schema: see school_history.
    follows = models.ForeignKey(
        "tenants.Template",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    release = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    # The latest "ready for review" (notices.review). Never cleared: a version published after it answers it
    # (review.review_pending), so publishing needs no step of its own. No key into public: see school_history.
    review_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_requested_by = models.ForeignKey(
        "tenants.User",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    review_note = models.TextField(blank=True, default="", db_default="", editable=False)

    history = school_history()

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def clean_fields(self, exclude=None):
        super().clean_fields(exclude)
        check_placeholders(self, exclude or ())


class RegisterItem(models.Model):
    """Common to every register row: a stable identity and an order within its notice."""

    # Survives reverts and diffs: a row keeps its uid across published versions.
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    order = models.PositiveIntegerField(default=0, help_text="Lower numbers come first.")
    # Set only by notices.following: the trust item this row comes from (the same
    # in every school), how the school uses it, and the release the inherited
    # value, replacement or hide is based on. Local rows have neither.
    template_uid = models.UUIDField(null=True, blank=True, editable=False)
    # Database defaults too: a row written without them (raw SQL, an older process) is the school's own.
    state = models.CharField(
        max_length=10,
        choices=ItemState.choices,
        default=ItemState.LOCAL,
        db_default=ItemState.LOCAL,
        editable=False,
    )
    # Replaced or hidden: the release the school's choice was made against (a later change is a conflict).
    # Inherited: the release the trust last changed the item in.
    based_on = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hidden_reason = models.TextField(blank=True, default="", db_default="", editable=False)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "template_uid"], name="%(class)s_one_row_per_trust_item"),
        ]

    def clean_fields(self, exclude=None):
        super().clean_fields(exclude)
        check_placeholders(self, set(exclude or ()) | {"hidden_reason"})


def _require_safeguard(item):
    if item.outside_uk and not item.safeguard.strip():
        raise ValidationError({"safeguard": "Data leaves the UK here: say which safeguard protects it."})


class DataCategory(RegisterItem):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=200)
    examples = models.TextField(blank=True)
    special = models.BooleanField("special category data (Article 9)", default=False)
    source = models.CharField(
        max_length=300, blank=True, help_text="Where it comes from when not from the family (Article 14)."
    )

    history = school_history()

    class Meta(RegisterItem.Meta):
        verbose_name_plural = "data categories"

    def __str__(self):
        return self.name


class LawfulBasis(RegisterItem):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="bases")
    title = models.CharField(max_length=200, help_text="A short name, e.g. 'Census returns to the DfE'.")
    article6 = models.CharField("Article 6(1) basis", max_length=1, choices=Article6.choices)
    article9 = models.CharField(
        "Article 9(2) condition",
        max_length=1,
        choices=Article9.choices,
        blank=True,
        help_text="Only where special category data is involved.",
    )
    special_categories = models.ManyToManyField(
        DataCategory,
        blank=True,
        related_name="+",
        help_text="The special category data this Article 9 condition covers.",
    )
    legislation = models.CharField(max_length=300, blank=True, help_text="The law relied on, e.g. Education Act 1996.")
    explanation = models.TextField(help_text="In plain language, why this basis applies.")
    legitimate_interest = models.TextField(blank=True, help_text="Required for Article 6(1)(f): the interest pursued.")

    history = school_history(m2m_fields=[special_categories])

    class Meta(RegisterItem.Meta):
        verbose_name_plural = "lawful bases"

    def __str__(self):
        return self.title

    def clean(self):
        if self.article6 == Article6.LEGITIMATE_INTERESTS and not self.legitimate_interest.strip():
            raise ValidationError({"legitimate_interest": "Article 6(1)(f) needs the legitimate interest pursued."})
        if self.article6 != Article6.LEGITIMATE_INTERESTS and self.legitimate_interest.strip():
            raise ValidationError({"legitimate_interest": "Only give a legitimate interest for Article 6(1)(f)."})


class Purpose(RegisterItem):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="purposes")
    name = models.CharField("what the data is used for", max_length=300)
    detail = models.TextField(blank=True)
    bases = models.ManyToManyField(LawfulBasis, related_name="+", verbose_name="lawful bases")

    history = school_history(m2m_fields=[bases])

    def __str__(self):
        return self.name


class System(RegisterItem):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="systems")
    name = models.CharField(max_length=200)
    used_for = models.CharField(max_length=300)
    supplier = models.CharField(max_length=200, blank=True)
    outside_uk = models.BooleanField("data leaves the UK", default=False)
    safeguard = models.CharField(max_length=300, blank=True, help_text="Required when data leaves the UK.")

    history = school_history()

    def __str__(self):
        return self.name

    def clean(self):
        _require_safeguard(self)


class RetentionRule(RegisterItem):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="retention_rules")
    record_type = models.CharField(max_length=200)
    period = models.CharField(max_length=300, help_text="How long, or the criteria that decide it.")

    history = school_history()

    def __str__(self):
        return self.record_type


class Recipient(RegisterItem):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="recipients")
    name = models.CharField("who", max_length=200)
    reason = models.CharField("why we share", max_length=400)
    sharing = models.CharField(max_length=20, choices=Sharing.choices, default=Sharing.ROUTINE)
    legal_basis = models.CharField("legal basis or legislation", max_length=300, blank=True)
    outside_uk = models.BooleanField("data leaves the UK", default=False)
    safeguard = models.CharField(max_length=300, blank=True, help_text="Required when data leaves the UK.")

    history = school_history()

    def __str__(self):
        return self.name

    def clean(self):
        _require_safeguard(self)


class Right(RegisterItem):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="rights")
    right = models.CharField(max_length=30, choices=RightKind.choices)
    how_to_exercise = models.TextField()

    history = school_history()

    class Meta(RegisterItem.Meta):
        constraints = [
            *RegisterItem.Meta.constraints,
            models.UniqueConstraint(
                fields=["notice", "right"], condition=~models.Q(state="hidden"), name="right_once_per_notice"
            ),
        ]

    def __str__(self):
        return self.get_right_display()


class Section(RegisterItem):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="sections")
    heading = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=SectionKind.choices, default=SectionKind.OTHER)
    placement = models.CharField(max_length=30, choices=Placement.choices, default=Placement.AFTER_SHARING)
    body = models.TextField(
        help_text="Plain text with a little Markdown: blank lines between paragraphs, '- ' for lists, "
        "**bold**, [link text](https://…) and '### ' for a sub-heading."
    )

    history = school_history()

    def __str__(self):
        return self.heading


def version_pdf_path(version, filename):
    """The stored name of a version's PDF, from its identity alone: notice id, number and hash.

    Never from a slug or title, which an editor can change: a name can then
    never come to mean another file. Inside the school's own media folder
    (tenant-aware storage). `filename` is ignored for that reason.
    """
    return f"notices/{version.notice_id}/v{version.number}-{version.pdf_sha256[:16]}.pdf"


class NoticeVersion(AppendOnlyModel):
    """A published, numbered, immutable version. Parents only ever see these.

    AppendOnlyModel refuses changes; a database trigger rejects UPDATE and
    DELETE on this table (migration 0002), so not even raw SQL can rewrite history.
    """

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    document = models.JSONField(help_text="The frozen notice document.")
    html = models.TextField(help_text="The document rendered to HTML at publication.")
    pdf = models.FileField(upload_to=version_pdf_path, max_length=300)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64)
    summary = models.TextField("what changed")
    material = models.BooleanField(
        default=True, help_text="Off for a wording or typo fix that changes nothing about how data is used."
    )
    forced = models.BooleanField(default=False, help_text="Published despite completeness failures.")
    published_by = models.ForeignKey(
        "tenants.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )  # no key into the public schema: see school_history
    published_at = models.DateTimeField()
    # In force from: parents see the version as current from this moment (notices.selectors); until then it is
    # upcoming, announced on the current page. Never before published_at.
    effective_at = models.DateTimeField("in force from")
    urgent_reason = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="Why a material change takes effect sooner than the trust's notice period (a legal duty).",
    )
    # Set only by notices.withdrawal.redact_version, the one change a trigger lets through.
    redacted_at = models.DateTimeField(null=True, blank=True, editable=False)

    append_only_message = "Published versions cannot be changed or deleted; publish a new version instead."

    class Meta:
        ordering = ["notice", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["notice", "number"], name="version_number_unique_per_notice"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="version_number_positive"),
            models.CheckConstraint(
                condition=models.Q(effective_at__gte=models.F("published_at")),
                name="version_in_force_after_publication",
            ),
        ]

    def __str__(self):
        return f"{self.notice} v{self.number}"

    @property
    def pdf_filename(self):
        """What a parent's browser saves the PDF as: <school>-<notice>-v<N>.pdf, as they were at publication."""
        if self.redacted_at is not None:
            return f"redacted-v{self.number}.pdf"
        return f"{self.document['school']['slug']}-{self.document['slug']}-v{self.number}.pdf"


class Withdrawal(AppendOnlyModel):
    """A published version taken down by a platform admin (notices.withdrawal). Append-only, like versions.

    A version has at most one withdrawal and at most one redaction row; a
    redaction withdraws the version too.
    """

    version = models.ForeignKey(NoticeVersion, on_delete=models.PROTECT, related_name="withdrawals")
    redacted = models.BooleanField(default=False)
    reason = models.TextField(help_text="Shown to parents where the version was.")
    at = models.DateTimeField()
    by = models.ForeignKey(
        "tenants.User", null=True, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )  # no key into the public schema: see school_history

    append_only_message = "Withdrawals are part of the record and cannot be changed or deleted."

    class Meta:
        ordering = ["at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "redacted"], name="one_withdrawal_and_one_redaction"),
        ]
