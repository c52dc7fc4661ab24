from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower, Trim
from django.utils import timezone
from django_tenants.models import DomainMixin, TenantMixin

from tenants.appendonly import AppendOnlyModel
from tenants.validators import ico_registration_validator, school_slug_validator, slug_problem, urn_validator


class Trust(models.Model):
    """The data controller for its schools. Lives in the public schema."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=50, unique=True)
    address = models.TextField()
    ico_registration = models.CharField(
        "ICO registration number", max_length=8, unique=True, validators=[ico_registration_validator]
    )
    dpo_name = models.CharField("DPO name", max_length=200)
    dpo_email = models.EmailField("DPO email")
    complaints_contact = models.TextField(
        help_text="How families complain to the trust itself before going to the ICO "
        "(Data (Use and Access) Act 2025): who, how, and that complaints are acknowledged within 30 days."
    )
    min_notice_days = models.PositiveSmallIntegerField(
        "minimum notice period (days)",
        default=14,
        db_default=14,
        help_text="How long before a material change takes effect families must be told. A shorter period needs "
        "an urgent reason, which is recorded.",
    )
    email_when_in_force = models.BooleanField(
        "email families again when a change comes into force",
        default=False,
        db_default=False,
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


def schema_name_for(slug):
    return slug.replace("-", "_")


class School(TenantMixin):
    """A school is a tenant: its notices live in its own PostgreSQL schema."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=42, unique=True, validators=[school_slug_validator])
    urn = models.CharField("URN", max_length=6, unique=True, validators=[urn_validator])
    address = models.TextField(blank=True)
    headteacher = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)

    # Schemas are made explicitly by tenants.provisioning.create_school, never by
    # save(), and never dropped by the ORM.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        problem = slug_problem(self.slug)
        if problem:
            raise ValidationError({"slug": problem})


class Domain(DomainMixin):
    def __str__(self):
        return self.domain


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.model.normalize_username(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        return self.create_user(email, password, is_platform_admin=True, **fields)

    def get_by_natural_key(self, email):
        return self.get(email=self.model.normalize_username(email))


class User(AbstractBaseUser):
    """One account for the whole platform. What it may do comes from its memberships."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_platform_admin = models.BooleanField(
        default=False, help_text="Manages trusts, schools, domains and users on the portal host."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            # Lookups compare the normalised spelling exactly, so nothing may store another one.
            models.CheckConstraint(
                condition=models.Q(email=Lower(Trim("email"))),
                name="user_email_normalised",
                violation_error_message="Emails are stored in lower case, without surrounding spaces.",
            ),
        ]

    def __str__(self):
        return self.email

    @classmethod
    def normalize_username(cls, username):
        """One account, one identity: login, throttling, roles and uniqueness all see this spelling.

        Mail providers treat the whole address case-insensitively in practice,
        and every spelling must share one count of failed logins.
        """
        username = super().normalize_username(username)
        return username.strip().lower() if isinstance(username, str) else username

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return self.name or self.email

    # The portal host's admin uses Django's permission API; platform admins
    # hold every permission there. School admins ask tenants.access instead.
    @property
    def is_staff(self):
        return self.is_platform_admin

    @property
    def is_superuser(self):
        return self.is_platform_admin

    def has_perm(self, perm, obj=None):
        return self.is_active and self.is_platform_admin

    def has_perms(self, perm_list, obj=None):
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label):
        return self.is_active and self.is_platform_admin


class Membership(models.Model):
    """A role: editor of one school (its DPL) or publisher for every school of a trust."""

    class Role(models.TextChoices):
        EDITOR = "editor", "Editor (school DPL)"
        PUBLISHER = "publisher", "Publisher (trust staff)"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships")
    trust = models.ForeignKey(Trust, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(role="editor", school__isnull=False, trust__isnull=True))
                | (models.Q(role="publisher", trust__isnull=False, school__isnull=True)),
                name="membership_role_scope",
                violation_error_message="An editor belongs to a school; a publisher belongs to a trust.",
            ),
            models.UniqueConstraint(
                fields=["user", "school"], condition=models.Q(school__isnull=False), name="membership_unique_school"
            ),
            models.UniqueConstraint(
                fields=["user", "trust"], condition=models.Q(trust__isnull=False), name="membership_unique_trust"
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} of {self.school or self.trust}"


class AuditEvent(AppendOnlyModel):
    """Who did what, when, where. Append-only: a database trigger refuses UPDATE and DELETE."""

    class Action(models.TextChoices):
        PUBLISH = "publish", "Published a version"
        PUBLISH_FAILED = "publish_failed", "Publishing failed"
        REVERT = "revert", "Reverted a draft to a version"
        LOGIN = "login", "Logged in"
        LOGIN_FAILED = "login_failed", "Failed login"
        MEMBERSHIP_ADDED = "membership_added", "Role granted"
        MEMBERSHIP_REMOVED = "membership_removed", "Role removed"
        BULK_PUBLISH = "bulk_publish", "Started a trust-wide publish"
        WITHDRAW = "withdraw", "Withdrew a published version"
        REDACT = "redact", "Redacted a published version"
        AUDIT_PURGE = "audit_purge", "Purged audit entries past retention"
        TRUST_CREATED = "trust_created", "Created a trust"
        TRUST_CHANGED = "trust_changed", "Changed a trust"
        SCHOOL_CREATED = "school_created", "Created a school"
        SCHOOL_CHANGED = "school_changed", "Changed a school"
        DOMAIN_ADDED = "domain_added", "Added a host"
        DOMAIN_CHANGED = "domain_changed", "Changed a host"
        DOMAIN_REMOVED = "domain_removed", "Removed a host"
        TEMPLATE_CREATED = "template_created", "Created a trust template"
        TEMPLATE_RELEASED = "template_released", "Released a trust template"
        NOTICE_LINKED = "notice_linked", "Linked a notice to a trust template"
        NOTICE_IMPORTED = "notice_imported", "Imported a notice from a file"
        WEBHOOK_ADDED = "webhook_added", "Added a webhook"
        WEBHOOK_DISABLED = "webhook_disabled", "Disabled a webhook"
        REVIEW_REQUESTED = "review_requested", "Asked for a review before publishing"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_email = models.CharField(max_length=254, blank=True, help_text="As given, also for failed logins.")
    action = models.CharField(max_length=30, choices=Action.choices, db_index=True)
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    trust = models.ForeignKey(Trust, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    details = models.JSONField(default=dict, blank=True)

    append_only_message = "The audit log is append-only."

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email} {self.get_action_display()}"


class PublishRun(models.Model):
    """One trust-wide publish: every notice with unpublished changes, run in the background.

    The process executing a run holds a lease on it (`lease_holder` until
    `lease_expires_at`) and renews it before every item, so a run whose worker
    died is seen as abandoned once the lease runs out, and is resumed by
    another worker or, after `PUBLISH_RUN_MAX_ATTEMPTS`, failed with its reason.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="publish_runs")
    started_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField()
    material = models.BooleanField(default=True)
    # Passed to each school's publish_notice: when the versions take effect (None: when each is published).
    effective_at = models.DateTimeField(null=True, blank=True)
    urgent_reason = models.TextField(blank=True, default="", db_default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_holder = models.CharField(max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    failure_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.trust} run {self.pk}"


class PublishRunItem(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        PUBLISHED = "published", "Published"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    run = models.ForeignKey(PublishRun, on_delete=models.CASCADE, related_name="items")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    notice_slug = models.SlugField(max_length=80)
    notice_title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    version_number = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)
    # What the run was planned against (notices.publishing.pending_change): the
    # latest version number and the composed draft's hash. Checked again when
    # the item is published, so a notice published or edited after planning is skipped.
    base_number = models.PositiveIntegerField(null=True, blank=True)
    base_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["school__name", "notice_title"]

    def __str__(self):
        return f"{self.school} / {self.notice_slug}: {self.get_status_display()}"


def workspace_schema_for(trust_id):
    """The schema holding a trust's template drafts. School slugs may not start "trust-" (validators)."""
    return f"trust_{trust_id}"


@dataclass(frozen=True)
class Workspace:
    """A trust's template workspace: what connection.tenant and request.tenant are in the template admin."""

    trust: "Trust"

    @property
    def schema_name(self):
        return workspace_schema_for(self.trust.pk)

    @property
    def trust_id(self):
        return self.trust.pk

    @property
    def name(self):
        return f"{self.trust.name} templates"


class Template(models.Model):
    """A trust's template notice, one per audience. Its draft is a Notice in the trust's workspace schema.

    The workspace (workspace_schema_for) has the same tables as a school, so a
    template is edited, checked, previewed and reverted with the same models
    and admin as a school notice (docs/decisions/0008). Schools build only on
    its releases, which live here in the public schema.
    """

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="templates")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    notice_id = models.PositiveBigIntegerField(help_text="The template's Notice in the trust's workspace schema.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["trust", "title"]
        constraints = [models.UniqueConstraint(fields=["trust", "slug"], name="template_slug_unique_per_trust")]

    def __str__(self):
        return f"{self.trust}: {self.title}"

    @property
    def schema_name(self):
        return workspace_schema_for(self.trust_id)


class TemplateRelease(AppendOnlyModel):
    """A numbered, immutable release of a template: its composed document, with placeholders unfilled.

    Append-only like published versions: a trigger refuses UPDATE and DELETE.
    """

    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="releases")
    number = models.PositiveIntegerField()
    document = models.JSONField(help_text="The template's notice document at release, placeholders unfilled.")
    summary = models.TextField("what changed")
    forced = models.BooleanField(default=False, help_text="Released despite failing the template check.")
    released_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField(default=timezone.now)

    append_only_message = "Template releases cannot be changed or deleted; release a new one instead."

    class Meta:
        ordering = ["template", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="release_number_unique_per_template"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="release_number_positive"),
        ]

    def __str__(self):
        return f"{self.template} release {self.number}"
