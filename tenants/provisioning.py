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
        Domain.objects.create(domain=host, tenant=school, is_primary=True)
    forget_hosts([host])
    return school
