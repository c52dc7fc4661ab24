"""Trust templates: the trust's workspace, making a template, and releasing it to every school that follows it.

A trust's template drafts are Notice rows in the trust's workspace schema
(tenants.models.workspace_schema_for), which has the same tables as a school:
the same registers, history, revert, preview and check. Releases are frozen
documents in the public schema, where every school's compose can read them.
docs/decisions/0008 explains the shape.
"""

import dataclasses
from dataclasses import dataclass

from django.db import connections, transaction
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists, tenant_context

from notices.applying import apply_document
from notices.checks import check_document, failures
from notices.compose import compose_notice, compose_template
from notices.document import NoticeDocument
from notices.following import latest_release, release_document, sync_notice
from notices.models import Notice
from notices.placeholders import values_for
from notices.registers import REGISTERS
from tenants import access, audit
from tenants.models import Template, TemplateRelease, Trust, Workspace, workspace_schema_for
from tenants.provisioning import make_schema, schema_alias


class ReleaseRefused(Exception):
    """The template cannot be released as it stands; `problems` says why."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


def ensure_workspace(trust: Trust) -> Workspace:
    """The trust's workspace, its schema made (a copy of the school template) if it has none yet.

    Made on the owner's connection, which commits on its own, as a school's schema is.
    """
    workspace = Workspace(trust)
    alias = schema_alias()
    if not schema_exists(workspace.schema_name, database=alias):
        connections[alias].set_schema_to_public()
        with schema_context(get_public_schema_name()), transaction.atomic(using=alias):
            make_schema(workspace.schema_name, using=alias)
    return workspace


def workspace_context(template_or_trust):
    trust_id = getattr(template_or_trust, "trust_id", None) or template_or_trust.pk
    return schema_context(workspace_schema_for(trust_id))


def template_notice(template: Template) -> Notice:
    """The template's draft. The trust's workspace schema must be active."""
    return Notice.objects.get(pk=template.notice_id)


@transaction.atomic
def create_template(trust: Trust, *, document: NoticeDocument, slug, title, user) -> Template:
    """A new template of `trust` whose draft says what `document` says (nothing is released yet)."""
    slug = (slug or "").strip()
    if not slug or not title:
        raise ReleaseRefused(["A template needs a title and a slug."])
    if Template.objects.filter(trust=trust, slug=slug).exists():
        raise ReleaseRefused([f"{trust.name} already has a template '{slug}'."])
    ensure_workspace(trust)
    with workspace_context(trust):
        notice = Notice(
            title=title,
            slug=slug,
            audience=document.audience,
            summary=document.summary,
            contact_name=document.contact.name,
            contact_role=document.contact.role,
            contact_email=document.contact.email,
            contact_phone=document.contact.phone,
            review_by=document.review_by_date(),
        )
        notice._history_user, notice._change_reason = user, "New template"
        notice.save()
        apply_document(
            notice, dataclasses.replace(document, title=title), user=user, reason="New template", origins=False
        )
    template = Template.objects.create(trust=trust, slug=slug, title=title, notice_id=notice.pk)
    audit.record(audit.Action.TEMPLATE_CREATED, actor=user, trust=trust, template=slug)
    return template


def template_from_school(school, notice: Notice, *, slug, title, user) -> Template:
    """Make a template of `school`'s trust from that school's notice: the usual start.

    The school's own details in the text (its name, headteacher, email,
    address, contact) become placeholders, so every school reads its own.
    """
    with tenant_context(school):
        document = compose_notice(notice, school=school)
    return create_template(
        school.trust, document=_as_placeholders(document, school, notice), slug=slug, title=title, user=user
    )


def _as_placeholders(document, school, notice):
    # Longest first, so "Northfield Primary School" is not cut by a shorter value within it.
    values = sorted(((v, k) for k, v in values_for(school, notice).items() if len(v) >= 4), key=lambda p: -len(p[0]))

    def unfill(text):
        for value, name in values:
            text = text.replace(value, "{" + name + "}")
        return text

    changed = {}
    for register in REGISTERS:
        changed[register.attr] = tuple(
            dataclasses.replace(item, **{name: unfill(getattr(item, name)) for name in register.texts})
            for item in getattr(document, register.attr)
        )
    return dataclasses.replace(document, summary=unfill(document.summary), **changed)


def template_check(template: Template):
    """The completeness check of the template's draft, with stand-ins for each school's details."""
    with workspace_context(template):
        return failures(compose_template(template_notice(template), trust=template.trust, preview=True))


@dataclass(frozen=True)
class DraftStatus:
    latest: TemplateRelease | None
    unreleased: bool  # the draft's items read differently from the latest release (or nothing is released)
    findings: list  # the template check, with stand-ins for each school's details


def draft_status(template: Template, notice: Notice) -> DraftStatus:
    """Where a template's draft stands against its releases. The trust's workspace schema must be active."""
    latest = latest_release(template)
    draft = compose_template(notice, trust=template.trust)
    return DraftStatus(
        latest=latest,
        unreleased=latest is None or _says(release_document(latest)) != _says(draft),
        findings=check_document(compose_template(notice, trust=template.trust, preview=True)),
    )


def _says(document):
    """What a release passes on to schools: every register item, in order."""
    return {
        register.attr: [(item.uid, register.values(item)) for item in getattr(document, register.attr)]
        for register in REGISTERS
    }


def release_template(template: Template, *, user, summary, force=False) -> TemplateRelease:
    """Release the template's draft as its next numbered release, and bring every following school's draft to it.

    Refuses an empty summary, a draft that fails the template check (unless
    `force`; placeholders the portal does not know are never forced through),
    and a draft whose items read the same as the latest release. Schools then
    show "live + unpublished changes" until they publish.
    """
    if user is not None and not access.can_publish_trust(user, template.trust):
        raise ReleaseRefused([f"Only publishers of {template.trust.name} release its templates."])
    summary = (summary or "").strip()
    if not summary:
        raise ReleaseRefused(["Say what changed in this release: schools see it in their history."])
    with transaction.atomic():
        template = Template.objects.select_for_update().select_related("trust").get(pk=template.pk)
        with workspace_context(template):
            notice = template_notice(template)
            document = compose_template(notice, trust=template.trust)
            problems = failures(compose_template(notice, trust=template.trust, preview=True))
        unknown = [f for f in problems if f.item == 14]
        if unknown or (problems and not force):
            raise ReleaseRefused(f"{f.item}. {f.title}: {f.message}" for f in (unknown or problems))
        previous = latest_release(template)
        if previous is not None and _says(release_document(previous)) == _says(document):
            raise ReleaseRefused(
                [
                    f"Nothing to release: the template's registers and sections read the same as release "
                    f"{previous.number}. (Its title, summary and contact are its own; schools keep theirs.)"
                ]
            )
        release = TemplateRelease.objects.create(
            template=template,
            number=(previous.number if previous else 0) + 1,
            document=document.to_dict(),
            summary=summary,
            forced=bool(problems),
            released_by=user,
        )
        Template.objects.filter(pk=template.pk).update(title=notice.title)
        reached = 0
        for school in template.trust.schools.select_related("trust").order_by("name"):
            with tenant_context(school):
                for follower in Notice.objects.filter(follows_id=template.pk):
                    sync_notice(follower, release, user=user)
                    reached += 1
        audit.record(
            audit.Action.TEMPLATE_RELEASED,
            actor=user,
            trust=template.trust,
            template=template.slug,
            release=release.number,
            forced=release.forced,
            schools=reached,
        )
    return release


@transaction.atomic
def revert_template(template: Template, release: TemplateRelease, *, user) -> Notice:
    """Load a release's content into the template's draft. Nothing released is touched."""
    if release.template_id != template.pk:
        raise ValueError("That release belongs to another template.")
    with workspace_context(template):
        notice = apply_document(
            template_notice(template),
            release_document(release),
            user=user,
            reason=f"Reverted to release {release.number}",
            origins=False,
        )
    return notice
