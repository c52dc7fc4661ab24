"""Creating schools and keeping the host cache honest."""

from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import override_settings
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists

from tenants import generations
from tenants.cloning import clone_schema
from tenants.migrating import schemas_behind
from tenants.models import Domain, School, schema_name_for


def school_host(slug):
    return f"{slug}.{settings.PORTAL_DOMAIN}"


def forget_hosts(hostnames):
    """Re-route `hostnames` once the transaction commits, and retire every page held under the old map.

    Host entries are keyed by the hosts token, so replacing it retires the
    entries of every host, these included.
    """
    generations.replace_after_commit(generations.HOSTS)


def forget_schools(schools):
    """After a school or trust edit: re-route its hosts and re-render its pages (they show its name and details)."""
    generations.replace_after_commit(generations.HOSTS, *(generations.pages(school.schema_name) for school in schools))


def schema_alias():
    """The connection that may make schemas: the owner's when DATABASE_OWNER_URL is set (docs/decisions/0006)."""
    return "owner" if "owner" in settings.DATABASES else DEFAULT_DB_ALIAS


def create_school(*, trust, name, slug, urn, address="", headteacher="", contact_email="", verbosity=0):
    """Create a school, its schema (up to date) and its primary domain, or nothing at all.

    Raises django.core.exceptions.ValidationError for bad input before any
    schema is touched. The schema is a copy of the template schema
    (tenants/cloning.py); PostgreSQL DDL is transactional, so any failure
    rolls the schema back with the rows.
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
    # The owner's connection commits on its own: the school, its schema and its
    # domain are one transaction there, whatever the caller has open.
    alias = schema_alias()
    connections[alias].set_schema_to_public()
    with schema_context(get_public_schema_name()), transaction.atomic(using=alias):
        school.save(using=alias)
        make_schema(school.schema_name, verbosity=verbosity, using=alias)
        Domain.objects.db_manager(alias).create(domain=host, tenant=school, is_primary=True)
    # Callers go on reading and writing it as the app role.
    school._state.db = DEFAULT_DB_ALIAS
    forget_hosts([host])
    return school


def make_schema(schema_name, verbosity=0, using=DEFAULT_DB_ALIAS):
    """Copy the template into `schema_name`, then apply any migration the template lacked.

    The template is normally current (migrate_schemas keeps it so), making the
    second step a single query. Without a template the schema is built by
    running every migration: slower, same result. The copy keeps the template's
    grants, so the app role may use the new schema as it uses the template.
    """
    template = settings.TENANT_BASE_SCHEMA
    if schema_exists(template, database=using):
        clone_schema(template, schema_name, using=using)
    else:
        with connections[using].cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA {connections[using].ops.quote_name(schema_name)}")
    if schemas_behind([schema_name], using=using):
        # django-tenants' router lets migrations run only on TENANT_DB_ALIAS; this
        # rare path (no or an outdated template) migrates over the owner's connection.
        with override_settings(TENANT_DB_ALIAS=using):
            call_command(
                "migrate_schemas",
                tenant=True,
                schema_name=schema_name,
                interactive=False,
                verbosity=verbosity,
                database=using,
            )
