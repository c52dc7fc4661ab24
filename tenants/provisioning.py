"""Creating schools and keeping the host cache honest."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.middleware import host_cache_key
from tenants.models import Domain, School, schema_name_for


def school_host(slug):
    return f"{slug}.{settings.PORTAL_DOMAIN}"


def forget_hosts(hostnames):
    """Drop cached host → school entries so the next request reads the database."""
    previous = connection.schema_name
    connection.set_schema_to_public()
    try:
        cache.delete_many([host_cache_key(h) for h in hostnames])
    finally:
        if previous != connection.schema_name:
            connection.set_schema(previous)


def forget_schools(schools):
    forget_hosts(Domain.objects.filter(tenant__in=schools).values_list("domain", flat=True))


def create_school(*, trust, name, slug, urn, address="", headteacher="", contact_email="", verbosity=0):
    """Create a school, its schema (migrated) and its primary domain, or nothing at all.

    Raises django.core.exceptions.ValidationError for bad input before any
    schema is touched. PostgreSQL DDL is transactional, so a failure while
    migrating rolls the schema back with the rows.
    """
    school = School(
        trust=trust,
        name=name,
        slug=slug,
        urn=urn,
        address=address,
        headteacher=headteacher,
        contact_email=contact_email,
        schema_name=schema_name_for(slug),
    )
    school.full_clean()
    host = school_host(slug)
    # A school is made from the public schema, whatever schema the caller had active.
    with schema_context(get_public_schema_name()), transaction.atomic():
        school.save(verbosity=verbosity)
        name_constraints_like_template(school.schema_name)
        Domain.objects.create(domain=host, tenant=school, is_primary=True)
    forget_hosts([host])
    return school


# django-tenants' clone gives unique constraints default names ("<table>_<cols>_key"),
# but migrations refer to the names Django chose; a later migration that drops or
# alters one would fail in every cloned school. Match each to the template's name.
_MISNAMED_UNIQUE = """
SELECT c.conrelid::regclass::text, c.conname, t.conname
FROM pg_constraint t
JOIN pg_class tr ON tr.oid = t.conrelid
JOIN pg_namespace tn ON tn.oid = tr.relnamespace AND tn.nspname = %s
JOIN pg_namespace cn ON cn.nspname = %s
JOIN pg_class cr ON cr.relnamespace = cn.oid AND cr.relname = tr.relname
JOIN pg_constraint c ON c.conrelid = cr.oid AND c.contype = 'u' AND c.conkey = t.conkey
WHERE t.contype = 'u' AND c.conname <> t.conname
"""


def name_constraints_like_template(schema_name):
    template = getattr(settings, "TENANT_BASE_SCHEMA", None)
    if not template:
        return
    with connection.cursor() as cursor:
        cursor.execute(_MISNAMED_UNIQUE, [template, schema_name])
        for table, current, wanted in cursor.fetchall():
            quote = connection.ops.quote_name
            cursor.execute(f"ALTER TABLE {table} RENAME CONSTRAINT {quote(current)} TO {quote(wanted)}")
