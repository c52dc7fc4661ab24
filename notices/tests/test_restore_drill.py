"""The restore drill of docs/operations.md: dump the whole portal, restore it into a new database, check it.

Real pg_dump and pg_restore on the test database (every schema at once), then a
comparison, school by school, of the versions and their PDFs (by SHA-256, the
files read from MEDIA_ROOT as a restore would find them) and of the audit log.
It runs inside the test's transaction: pg_dump, another session, sees what is committed.
"""

import hashlib
import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection, connections

pytestmark = pytest.mark.django_db


def _binary(name):
    found = shutil.which(name) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))), None)
    if found is None:
        pytest.fail(f"{name} is missing: it comes with PostgreSQL's server packages (scripts/pg needs them too)")
    return str(found)


def _owner():
    return connections["owner" if "owner" in connections else "default"].settings_dict


def _connect(dbname):
    db = _owner()
    return psycopg2.connect(dbname=dbname, user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"])


def _state(dbname):
    """Every school's versions (number, PDF name, SHA-256) and the audit log, read with plain SQL."""
    with _connect(dbname) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT schema_name FROM tenants_school ORDER BY schema_name")
        schemas = [row[0] for row in cursor.fetchall()]
        versions = {}
        for schema in schemas:
            cursor.execute(
                f'SELECT number, pdf, pdf_sha256 FROM "{schema}".notices_noticeversion ORDER BY notice_id, number'  # noqa: S608 (schema names come from the database)
            )
            versions[schema] = cursor.fetchall()
        cursor.execute("SELECT id, action, at, details FROM tenants_auditevent ORDER BY id")
        audit = cursor.fetchall()
    conn.close()
    return versions, audit


def test_a_dump_of_the_whole_portal_restores_into_a_new_database_with_every_version_pdf_and_audit_event(world):
    db, source = _owner(), connection.settings_dict["NAME"]
    target = f"restore_drill_{uuid.uuid4().hex[:8]}"
    env = {"PGPASSWORD": db["PASSWORD"] or ""}
    where = ["-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"]]
    dump = Path(settings.MEDIA_ROOT).parent / f"{target}.dump"
    subprocess.run([_binary("pg_dump"), *where, "-Fc", "-f", str(dump), source], check=True, env=env)  # noqa: S603
    admin = _connect("postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{target}"')
    try:
        restore = [_binary("pg_restore"), *where, "--exit-on-error", "-d", target, str(dump)]
        subprocess.run(restore, check=True, env=env, capture_output=True)  # noqa: S603
        before, after = _state(source), _state(target)
        assert after == before
        versions, audit = after
        assert audit
        # The files of the world's schools (other tests may keep theirs elsewhere, e.g. in a bucket).
        for schema in (world.school_a.schema_name, world.school_b.schema_name, world.school_c.schema_name):
            assert versions[schema]
            for _, name, sha256 in versions[schema]:
                stored = Path(settings.MEDIA_ROOT, schema, name).read_bytes()
                assert hashlib.sha256(stored).hexdigest() == sha256, f"{schema}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        admin.close()
        dump.unlink(missing_ok=True)
