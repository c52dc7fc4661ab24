"""The app role (web and worker) cannot rewrite what is published or recorded, even with raw SQL.

Each attack runs over its own psycopg2 connection as the app role, the way a
stolen app credential or an SQL injection would, against rows the world
committed: a published version, an audit event and a history row.
"""

import psycopg2
import pytest
from django.db import connections
from psycopg2 import errors

from tenants.provisioning import create_school

pytestmark = pytest.mark.django_db(transaction=True)

# What a superuser or an owner would use to get past the append-only triggers.
BYPASSES = [
    "SET session_replication_role = replica",
    "ALTER TABLE {table} DISABLE TRIGGER ALL",
    "DROP TRIGGER {trigger} ON {table}",
    "ALTER TABLE {table} OWNER TO CURRENT_USER",
    "CREATE SCHEMA attacker",
    "GRANT portal_owner TO CURRENT_USER",
]
# One protected row of each kind in school A (or public), and the trigger that guards it.
TARGETS = {
    "version": ("school_a.notices_noticeversion", "notices_noticeversion_immutable", "summary = 'rewritten'"),
    "audit": ("public.tenants_auditevent", "tenants_auditevent_append_only", "actor_email = 'rewritten'"),
    "history": ("school_a.notices_historicalnotice", "notices_historicalnotice_append_only", "title = 'rewritten'"),
}


def app_connection():
    db = connections["default"].settings_dict
    conn = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"]
    )
    conn.autocommit = True
    return conn


@pytest.fixture
def app_cursor(world):
    if "owner" not in connections:
        pytest.skip("one role for everything (DATABASE_OWNER_URL unset): nothing to separate")
    conn = app_connection()
    with conn.cursor() as cursor:
        cursor.execute("SELECT current_user, usesuper FROM pg_user WHERE usename = current_user")
        assert cursor.fetchone() == (connections["default"].settings_dict["USER"], False)
        yield cursor
    conn.close()


def refused(cursor, sql):
    try:
        cursor.execute(sql)
    except (errors.InsufficientPrivilege, errors.RestrictViolation, errors.UndefinedObject) as exc:
        return type(exc).__name__
    return None


@pytest.mark.parametrize("kind", TARGETS)
def test_the_app_role_cannot_update_delete_or_truncate_protected_rows_even_after_trying_bypasses(app_cursor, kind):
    table, trigger, change = TARGETS[kind]
    app_cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
    (rows,) = app_cursor.fetchone()
    assert rows > 0, f"the world has no {kind} row to attack"
    for bypass in BYPASSES:
        assert refused(app_cursor, bypass.format(table=table, trigger=trigger)) is not None, bypass
    assert refused(app_cursor, f"UPDATE {table} SET {change}") is not None  # noqa: S608
    assert refused(app_cursor, f"DELETE FROM {table}") is not None  # noqa: S608
    assert refused(app_cursor, f"TRUNCATE {table}") is not None
    app_cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
    assert app_cursor.fetchone() == (rows,)
    app_cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 'attacker'")
    assert app_cursor.fetchone() == (0,)


def test_the_app_role_does_the_ordinary_work(app_cursor):
    app_cursor.execute("SELECT count(*) FROM school_a.notices_noticeversion")
    assert app_cursor.fetchone()[0] > 0
    app_cursor.execute("SELECT id FROM school_a.notices_notice LIMIT 1")
    (notice,) = app_cursor.fetchone()
    app_cursor.execute(
        'INSERT INTO school_a.notices_system (uid, notice_id, "order", name, used_for, supplier, outside_uk, '
        "safeguard) VALUES (gen_random_uuid(), %s, 99, 'Raw system', '', '', false, '') RETURNING id",
        [notice],
    )
    (system,) = app_cursor.fetchone()
    app_cursor.execute("UPDATE school_a.notices_system SET name = 'Renamed' WHERE id = %s", [system])
    app_cursor.execute("DELETE FROM school_a.notices_system WHERE id = %s", [system])
    assert app_cursor.rowcount == 1


def test_a_new_schools_schema_is_usable_by_the_app_role_and_as_protected_as_the_template(app_cursor, world):
    school = create_school(trust=world.trust_y, name="Granted School", slug="granted-school", urn="993071")
    schema = school.schema_name
    app_cursor.execute(
        "SELECT c.relname, has_table_privilege(c.oid, 'INSERT'), has_table_privilege(c.oid, 'UPDATE'), "
        "has_table_privilege(c.oid, 'DELETE'), has_table_privilege(c.oid, 'TRUNCATE') "
        "FROM pg_class c WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'r' ORDER BY 1",
        [schema],
    )
    rights = {name: rest for name, *rest in app_cursor.fetchall()}
    assert rights["notices_notice"] == [True, True, True, False]
    assert rights["notices_noticeversion"] == [True, True, False, False]
    history = [name for name in rights if name.startswith("notices_historical")]
    assert history
    assert {name: rights[name] for name in history} == {name: [True, False, False, False] for name in history}
    app_cursor.execute(f"SELECT count(*) FROM {schema}.notices_notice")  # noqa: S608
    assert app_cursor.fetchone() == (0,)
    assert refused(app_cursor, f"ALTER TABLE {schema}.notices_noticeversion DISABLE TRIGGER ALL") is not None


def test_every_history_table_in_every_school_refuses_update_delete_and_truncate(app_cursor):
    app_cursor.execute(
        "SELECT c.oid::regclass::text, array_agg(t.tgname ORDER BY t.tgname) FILTER (WHERE t.tgname IS NOT NULL) "
        "FROM pg_class c LEFT JOIN pg_trigger t ON t.tgrelid = c.oid AND NOT t.tgisinternal "
        "WHERE c.relkind = 'r' AND c.relname LIKE 'notices\\_historical%%' GROUP BY 1"
    )
    tables = dict(app_cursor.fetchall())
    assert any(name.startswith("school_template.") for name in tables)
    for name, triggers in tables.items():
        base = name.split(".")[-1]
        assert triggers == [f"{base}_append_only", f"{base}_no_truncate"], name


def test_the_platform_admin_adds_a_school_from_a_web_process_without_ddl_rights(app_cursor, world, client):
    from django_tenants.utils import schema_exists

    from tenants.models import Domain, School

    client.force_login(world.platform_admin)
    response = client.post(
        "/admin/tenants/school/add/",
        {
            "trust": world.trust_x.pk,
            "name": "Admin Added School",
            "slug": "admin-added",
            "urn": "993072",
            "address": "1 Lane",
            "headteacher": "Head",
            "contact_email": "office@admin-added.example.org",
        },
        HTTP_HOST="localhost",
    )
    assert response.status_code == 302, response.content.decode()[:500]
    school = School.objects.get(slug="admin-added")
    assert schema_exists(school.schema_name)
    assert Domain.objects.filter(tenant=school, domain="admin-added.localhost").exists()
    app_cursor.execute("SELECT count(*) FROM admin_added.notices_notice")
    assert app_cursor.fetchone() == (0,)
