"""The platform's writes: trusts, schools and their hosts.

The platform admin, the commands and the demo loader all come through here, so
each change is validated, audited and followed by the cache invalidation it
needs (cached host lookups carry the school and its trust; school pages show
both). Roles are granted and removed in tenants.memberships.
"""

from django.db import transaction

from tenants import audit
from tenants.models import Domain, School, Trust
from tenants.provisioning import create_school, forget_hosts, forget_schools


def _changes(obj, fields):
    """Set `fields` on `obj`; return the names whose stored value they change."""
    stored = type(obj).objects.filter(pk=obj.pk).values(*fields).get()
    for name, value in fields.items():
        setattr(obj, name, value)
    return sorted(name for name in fields if stored[name] != getattr(obj, name))


def _by_id(obj, fields):
    """Foreign keys compared and stored by id, so a changed trust is one column."""
    converted = {}
    for name, value in fields.items():
        field = obj._meta.get_field(name)
        converted[field.attname] = getattr(value, "pk", value) if field.is_relation else value
    return converted


@transaction.atomic
def add_trust(*, by=None, **fields):
    trust = Trust(**fields)
    trust.full_clean()
    trust.save()
    audit.record(audit.Action.TRUST_CREATED, actor=by, trust=trust, slug=trust.slug)
    return trust


@transaction.atomic
def update_trust(trust, *, by=None, **fields):
    """Change a trust's details; its schools' hosts and pages are re-read after the commit."""
    changed = _changes(trust, fields)
    if changed:
        trust.full_clean()
        trust.save(update_fields=changed)
        audit.record(audit.Action.TRUST_CHANGED, actor=by, trust=trust, fields=changed)
        forget_schools(list(trust.schools.all()))
    return trust


@transaction.atomic
def add_school(*, by=None, **fields):
    """A school with its schema and primary host (tenants.provisioning.create_school), audited."""
    school = create_school(**fields)
    audit.record(audit.Action.SCHOOL_CREATED, actor=by, school=school, slug=school.slug)
    return school


@transaction.atomic
def update_school(school, *, by=None, **fields):
    """Change a school's details (not its slug: it names the schema and the host)."""
    if "slug" in fields or "schema_name" in fields:
        raise ValueError("A school's slug and schema are fixed once it exists.")
    trust_before = School.objects.values_list("trust_id", flat=True).get(pk=school.pk)
    changed = _changes(school, _by_id(school, fields))
    if changed:
        school.full_clean()
        school.save(update_fields=changed)
        details = {"fields": changed}
        if "trust_id" in changed:
            details["from_trust"] = trust_before
        audit.record(audit.Action.SCHOOL_CHANGED, actor=by, school=school, **details)
        forget_schools([school])
    return school


@transaction.atomic
def add_domain(school, domain, *, is_primary=False, by=None):
    host = Domain(tenant=school, domain=domain, is_primary=is_primary)
    host.full_clean()
    host.save()
    audit.record(audit.Action.DOMAIN_ADDED, actor=by, school=school, domain=host.domain)
    forget_hosts([host.domain])
    return host


@transaction.atomic
def update_domain(host, *, by=None, **fields):
    before = Domain.objects.values_list("domain", flat=True).get(pk=host.pk)
    changed = _changes(host, fields)
    if changed:
        host.full_clean()
        host.save(update_fields=changed)
        audit.record(audit.Action.DOMAIN_CHANGED, actor=by, school=host.tenant, domain=host.domain, was=before)
        forget_hosts({before, host.domain})
    return host


@transaction.atomic
def remove_domain(host, *, by=None):
    audit.record(audit.Action.DOMAIN_REMOVED, actor=by, school=host.tenant, domain=host.domain)
    forget_hosts([host.domain])
    host.delete()
