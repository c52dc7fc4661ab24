"""Migrations across many schools: only schemas that are behind are visited; new schools are clones."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_exists

from tenants.migrating import schemas_behind
from tenants.provisioning import create_school

pytestmark = pytest.mark.django_db


def test_up_to_date_schemas_are_not_behind(world):
    assert schemas_behind(["school_a", "school_b", "school_c", "school_template"]) == []


def test_a_schema_missing_one_migration_is_behind(world):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM school_b.django_migrations WHERE app = 'notices' AND name LIKE '0002%%'")
    assert schemas_behind(["school_a", "school_b", "school_c"]) == ["school_b"]


def test_a_schema_without_a_migrations_table_is_behind(world):
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA bare_schema")
    assert schemas_behind(["school_a", "bare_schema"]) == ["bare_schema"]


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


def test_cloned_schools_keep_the_constraint_and_index_names_migrations_use(world):
    school = create_school(trust=world.trust_x, name="Named", slug="named-school", urn="990056")
    queries = {
        "constraints": "SELECT c.conname FROM pg_constraint c "
        "JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = %s",
        "indexes": "SELECT indexname FROM pg_indexes WHERE schemaname = %s",
    }
    names = {}
    with connection.cursor() as cursor:
        for kind, sql in queries.items():
            for schema in ("school_template", school.schema_name):
                cursor.execute(sql, [schema])
                names[kind, schema] = {row[0] for row in cursor.fetchall()}
    for kind in queries:
        assert names[kind, "school_template"] == names[kind, school.schema_name], kind
    assert "version_number_unique_per_notice" in names["constraints", school.schema_name]
