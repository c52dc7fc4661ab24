"""migrate_schemas that only visits schools whose schema is behind.

django-tenants runs Django's migrate command once per schema, even when there is
nothing to do: about a third of a second each, so minutes for a thousand
schools. Here one query reads every school's django_migrations table, and only
the schemas missing a migration are migrated. The template schema that new
schools are cloned from (TENANT_BASE_SCHEMA) is created and migrated with them.

Wired in with settings.GET_EXECUTOR_FUNCTION; it wraps whichever executor
(--executor standard or multiprocessing) was asked for.
"""

import functools
import sys

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django_tenants.migration_executors import get_executor as tenants_get_executor
from django_tenants.utils import get_public_schema_name, schema_exists


@functools.cache
def expected_migrations():
    """Every migration on disk, as (app, name). Each schema records them all, shared apps included.

    Read once per process: the files do not change under a running process, and
    provisioning asks for every new school.
    """
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return frozenset(loader.graph.nodes)


def schemas_behind(schemas, using=DEFAULT_DB_ALIAS):
    """The subset of `schemas` missing any migration, in one round trip to the catalogue and the tables."""
    schemas = list(schemas)
    if not schemas:
        return []
    expected = expected_migrations()
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = 'django_migrations' AND table_schema = ANY(%s)",
            [schemas],
        )
        with_table = [row[0] for row in cursor.fetchall()]
        applied = {name: set() for name in schemas}
        if with_table:
            union = " UNION ALL ".join(
                # Schema names come from the catalogue and are quoted; values are parameters.
                f"SELECT %s, app, name FROM {connection.ops.quote_name(name)}.django_migrations"  # noqa: S608
                for name in with_table
            )
            cursor.execute(union, with_table)
            for schema, app, name in cursor.fetchall():
                applied[schema].add((app, name))
    return [name for name in schemas if not expected <= applied[name]]


def workspace_schemas(using=DEFAULT_DB_ALIAS):
    """The trusts' template workspaces that exist (tenants.models.workspace_schema_for names them)."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname ~ '^trust_[0-9]+$' ORDER BY nspname")
        return [row[0] for row in cursor.fetchall()]


def get_executor(codename=None):
    base = tenants_get_executor(codename)

    class PendingOnlyExecutor(base):
        def run_migrations(self, tenants=None):
            tenants = list(tenants or [])
            public = get_public_schema_name()
            explicit = self.options.get("schema_name") or self.args or self.options.get("fake")
            if tenants == [public] or explicit:
                return super().run_migrations(tenants=tenants)
            template = getattr(settings, "TENANT_BASE_SCHEMA", None)
            using = self.options.get("database") or DEFAULT_DB_ALIAS
            if template:
                if not schema_exists(template, database=using):
                    connection = connections[using]
                    with connection.cursor() as cursor:
                        cursor.execute(f"CREATE SCHEMA {connection.ops.quote_name(template)}")
                tenants = [template, *tenants]
            tenants += workspace_schemas(using)
            behind = schemas_behind(tenants, using=using)
            if int(self.options.get("verbosity", 1)) >= 1:
                sys.stdout.write(
                    f"Schemas up to date: {len(tenants) - len(behind)} of {len(tenants)}; migrating {len(behind)}.\n"
                )
            if behind:
                super().run_migrations(tenants=behind)

    return PendingOnlyExecutor
