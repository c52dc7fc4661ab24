"""Migrations across many schools: only schemas that are behind are visited; new schools are clones."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_exists

from conftest import owner_cursor
from tenants.migrating import schemas_behind
from tenants.models import School
from tenants.provisioning import create_school, schema_alias

pytestmark = pytest.mark.django_db


def test_up_to_date_schemas_are_not_behind(world):
    assert schemas_behind(["school_a", "school_b", "school_c", "school_template"]) == []


def test_a_schema_missing_one_migration_is_behind(world):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM school_b.django_migrations WHERE app = 'notices' AND name LIKE '0002%%'")
    assert schemas_behind(["school_a", "school_b", "school_c"]) == ["school_b"]


def test_a_schema_without_a_migrations_table_is_behind(world):
    with owner_cursor() as cursor:
        cursor.execute("CREATE SCHEMA bare_schema")
        assert schemas_behind(["school_a", "bare_schema"], using=schema_alias()) == ["bare_schema"]


def test_no_op_migrate_visits_no_school(world, capsys):
    call_command("migrate_schemas", "--tenant", "--noinput", stdout=io.StringIO())
    out = capsys.readouterr().out
    assert re.search(r"Schemas up to date: (\d+) of \1; migrating 0\.", out)
    assert "Applying" not in out


def test_new_schools_are_cloned_from_the_template_with_its_protections(world):
    assert schema_exists("school_template")
    school = create_school(trust=world.trust_x, name="Clone", slug="clone-school", urn="990055")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.pronamespace::regnamespace::text FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgrelid = 'clone_school.notices_noticeversion'::regclass "
            "AND t.tgname = 'notices_noticeversion_immutable'"
        )
        assert cursor.fetchone() == ("clone_school",)
        cursor.execute("SELECT count(*) FROM clone_school.notices_notice")
        assert cursor.fetchone() == (0,)
    assert schemas_behind([school.schema_name]) == []


# Each query lists one kind of object in a schema, with its definition as
# PostgreSQL prints it; the schema's own name is masked so two schemas compare.
SHAPE = {
    "columns": "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
    "pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated FROM pg_attribute a "
    "JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
    "WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped",
    "constraints": "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
    "JOIN pg_class c ON c.oid = k.conrelid WHERE k.connamespace = %s::regnamespace",
    "indexes": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s",
    "triggers": "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
    "WHERE c.relnamespace = %s::regnamespace AND NOT t.tgisinternal",
    "functions": "SELECT pg_get_functiondef(p.oid) FROM pg_proc p WHERE p.pronamespace = %s::regnamespace",
    "sequences": "SELECT sequencename, data_type, start_value, increment_by FROM pg_sequences WHERE schemaname = %s",
}


def shape(schema, cursor=None):
    if cursor is None:
        with connection.cursor() as cursor:
            return shape(schema, cursor)
    found = {}
    for kind, sql in SHAPE.items():
        cursor.execute(sql, [schema])
        found[kind] = {tuple(str(v).replace(f"{schema}.", "<schema>.") for v in row) for row in cursor.fetchall()}
    return found


def test_a_clone_matches_the_template_object_for_object(world):
    school = create_school(trust=world.trust_x, name="Named", slug="named-school", urn="990056")
    template, clone = shape("school_template"), shape(school.schema_name)
    for kind in SHAPE:
        assert template[kind], f"the template has no {kind}"
        assert clone[kind] == template[kind], kind
    assert ("notices_noticeversion", "version_number_unique_per_notice") in {row[:2] for row in clone["constraints"]}


def test_a_clone_copies_the_migration_records_and_numbers_new_rows_after_them(world):
    create_school(trust=world.trust_x, name="Rows", slug="rows-school", urn="990057")
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM school_template.django_migrations ORDER BY id")
        template_rows = cursor.fetchall()
        cursor.execute("SELECT app, name FROM rows_school.django_migrations ORDER BY id")
        assert cursor.fetchall() == template_rows
        cursor.execute(
            "INSERT INTO rows_school.django_migrations (app, name, applied) VALUES ('x', 'y', now()) RETURNING id"
        )
        (new_id,) = cursor.fetchone()
        cursor.execute("SELECT max(id) FROM school_template.django_migrations")
        assert new_id == cursor.fetchone()[0] + 1


@pytest.mark.parametrize(
    "stray",
    [
        "CREATE VIEW school_template.stray AS SELECT 1 AS one",
        "CREATE SEQUENCE school_template.stray",
        "CREATE TYPE school_template.stray AS ENUM ('a')",
        "CREATE DOMAIN school_template.stray AS text",
        "CREATE PROCEDURE school_template.stray() LANGUAGE sql AS 'SELECT 1'",
    ],
)
def test_a_template_holding_what_the_clone_cannot_copy_stops_provisioning_clearly(world, stray):
    # Only the owner may touch the template; its transaction, with the stray object, is rolled back.
    with owner_cursor() as cursor:
        cursor.execute(stray)
        with pytest.raises(CommandError, match="cannot copy.*stray"):
            call_command(
                "create_school", trust="trust-x", name="Stray", slug="stray-school", urn="990058", stdout=io.StringIO()
            )
    assert not schema_exists("stray_school")
    assert not School.objects.filter(slug="stray-school").exists()


def test_without_a_template_a_school_is_built_by_its_migrations(world):
    # All on the owner's connection, in its transaction, rolled back with the rename.
    with owner_cursor() as cursor:
        cursor.execute("ALTER SCHEMA school_template RENAME TO school_template_away")
        school = create_school(trust=world.trust_x, name="Plain", slug="plain-school", urn="990059")
        assert schemas_behind([school.schema_name], using=schema_alias()) == []
        assert shape(school.schema_name, cursor) == shape("school_template_away", cursor)
