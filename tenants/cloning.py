"""Copy the template schema into a new school's schema.

django-tenants ships a plpgsql clone_schema() that rebuilds each column's
definition with information_schema queries. Those views cover every schema in
the database, so each new school costs more than the last: about 0.6 s at the
start and anywhere from 2 to 75 s per school at 200 schools (docs/decisions).

This clone asks the catalogue only about the template's own objects, a fixed
handful of queries, and lets PostgreSQL copy each table's columns, defaults,
identity and CHECK constraints with CREATE TABLE ... (LIKE ...). Everything
else is recreated from PostgreSQL's own definitions (pg_get_constraintdef,
pg_get_indexdef, pg_get_triggerdef, pg_get_functiondef) under the template's
names, so later migrations find the names Django chose. The template's
migration records (django_migrations) are copied, so the new schema is up to
date; a template holding any other row is refused, since that row would reach
every new school. The template's grants are restated on the copy: the app role
gets exactly what it has on the template (docs/decisions/0006), not the owner's
default privileges.

It runs in the caller's transaction: a failure leaves no schema behind.
"""

import re

from django.db import DEFAULT_DB_ALIAS, connection, connections

# The template is never on the search_path (django-tenants sets it to the current
# school or public), so the catalogue prints every template object qualified with
# the template's name and public tables (users, content types) unqualified;
# swapping that qualifier retargets each definition to the new schema.
#
# pg_class, pg_constraint and pg_trigger have no index on their schema column, so
# a query filtered by schema reads every school's rows: at 1,000 schools that was
# a quarter of a second per new school. Every query here goes through an index
# instead: the schema's own objects from pg_depend (each relation, function and
# type records that it belongs to its schema), then everything else by their oids.
_OWNED = """
SELECT d.classid::regclass::text, d.objid FROM pg_depend d
WHERE d.refclassid = 'pg_namespace'::regclass AND d.refobjid = %(ns)s
"""
_UNSUPPORTED = """
SELECT c.relname::text, c.relkind::text FROM pg_class c
WHERE c.oid = ANY(%(relations)s::oid[]) AND c.relkind NOT IN ('r', 'S')
UNION ALL
SELECT c.relname::text, 'S' FROM pg_class c
WHERE c.oid = ANY(%(relations)s::oid[]) AND c.relkind = 'S' AND NOT EXISTS (
    SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i'
)
UNION ALL
SELECT p.proname::text, p.prokind::text FROM pg_proc p WHERE p.oid = ANY(%(functions)s::oid[]) AND p.prokind <> 'f'
UNION ALL
SELECT t.typname::text, 'type' FROM pg_type t WHERE t.oid = ANY(%(types)s::oid[])
"""
_TABLES = """
SELECT c.oid, c.relname FROM pg_class c
WHERE c.oid = ANY(%(relations)s::oid[]) AND c.relkind = 'r' ORDER BY c.relname
"""
_FUNCTIONS = """
SELECT pg_get_functiondef(p.oid) FROM pg_proc p WHERE p.oid = ANY(%(functions)s::oid[]) ORDER BY p.proname
"""
# Primary keys and unique constraints first: foreign keys need them in place.
_CONSTRAINTS = """
SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
WHERE k.conrelid = ANY(%(tables)s::oid[]) AND k.contype IN ('p', 'u', 'x', 'f')
ORDER BY k.contype = 'f', c.relname, k.conname
"""
_INDEXES = """
SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = ANY(%(tables)s::oid[]) AND NOT EXISTS (
    SELECT FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid
)
ORDER BY c.relname
"""
_TRIGGERS = """
SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
WHERE t.tgrelid = ANY(%(tables)s::oid[]) AND NOT t.tgisinternal ORDER BY c.relname, t.tgname
"""
# LIKE ... INCLUDING IDENTITY makes bigint sequences even for integer columns;
# restate each sequence's options as the template has them.
_SEQUENCES = """
SELECT c.relname, format_type(s.seqtypid, NULL), s.seqincrement, s.seqmin, s.seqmax, s.seqstart, s.seqcache,
       s.seqcycle
FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
WHERE s.seqrelid = ANY(%(relations)s::oid[]) ORDER BY c.relname
"""
_COLUMNS = """
SELECT a.attrelid, a.attname, a.attidentity <> '' FROM pg_attribute a
WHERE a.attrelid = ANY(%(tables)s::oid[]) AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
ORDER BY a.attrelid, a.attnum
"""
# Who may do what on the template and its objects, and every role that the owner's
# default privileges would grant something on a new object (revoked first, so the
# copy's grants are the template's and nothing more). Owners' own rights are implicit.
_GRANTEE = "CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END"
_GRANTS = f"""
SELECT c.relname, c.relkind = 'S', {_GRANTEE}, a.privilege_type
FROM pg_class c, aclexplode(c.relacl) a
WHERE c.oid = ANY(%(relations)s::oid[]) AND a.grantee <> c.relowner
UNION ALL
SELECT NULL, NULL, {_GRANTEE}, a.privilege_type
FROM pg_namespace n, aclexplode(n.nspacl) a WHERE n.oid = %(ns)s AND a.grantee <> n.nspowner
ORDER BY 1, 3, 4
"""  # noqa: S608 (a constant expression, no input)
_DEFAULT_GRANTEES = f"""
SELECT DISTINCT {_GRANTEE}
FROM pg_default_acl d, aclexplode(d.defaclacl) a
WHERE d.defaclrole = current_user::regrole AND a.grantee <> d.defaclrole ORDER BY 1
"""  # noqa: S608 (a constant expression, no input)


def quote(name):
    return connection.ops.quote_name(name)


class CloneError(Exception):
    """The template holds something this clone does not know how to copy."""


def clone_schema(template, schema, using=DEFAULT_DB_ALIAS):
    """Create `schema` as a copy of `template`: tables, keys, indexes, triggers, functions, grants and rows."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT oid, quote_ident(nspname) FROM pg_namespace WHERE nspname = %s", [template])
        row = cursor.fetchone()
        if row is None:
            raise CloneError(f"The template schema {template!r} does not exist; run migrate_schemas first.")
        namespace, printed = row
        cursor.execute(_OWNED, {"ns": namespace})
        owned = {"pg_class": [], "pg_proc": [], "pg_type": []}
        others = []
        for catalogue, oid in cursor.fetchall():
            if catalogue in owned:
                owned[catalogue].append(oid)
            else:
                others.append(catalogue)
        objects = {"relations": owned["pg_class"], "functions": owned["pg_proc"], "types": owned["pg_type"]}
        cursor.execute(_UNSUPPORTED, objects)
        unsupported = cursor.fetchall() + [(catalogue, "") for catalogue in others]
        if unsupported:
            raise CloneError(f"The template schema holds objects this clone cannot copy: {unsupported}")
        cursor.execute(_TABLES, objects)
        tables = cursor.fetchall()
        objects["tables"] = [oid for oid, _ in tables]
        cursor.execute(_FUNCTIONS, objects)
        functions = [r[0] for r in cursor.fetchall()]
        cursor.execute(_CONSTRAINTS, objects)
        constraints = cursor.fetchall()
        cursor.execute(_INDEXES, objects)
        indexes = [r[0] for r in cursor.fetchall()]
        cursor.execute(_TRIGGERS, objects)
        triggers = [r[0] for r in cursor.fetchall()]
        cursor.execute(_SEQUENCES, objects)
        sequences = cursor.fetchall()
        cursor.execute(_GRANTS, {**objects, "ns": namespace})
        grants = cursor.fetchall()
        cursor.execute(_DEFAULT_GRANTEES)
        grantees = {row[0] for row in cursor.fetchall()} | {grantee for _, _, grantee, _ in grants}

        qualified = re.compile(r'(?<![\w".$])' + re.escape(printed) + r"\.")
        new = quote(schema)

        def retarget(definition):
            return qualified.sub(lambda _: f"{new}.", definition)

        def table(name):
            return f"{new}.{quote(name)}"

        statements = [f"CREATE SCHEMA {new}"]
        statements += [retarget(sql) for sql in functions]
        statements += [
            f"CREATE TABLE {table(name)} (LIKE {quote(template)}.{quote(name)} INCLUDING ALL EXCLUDING INDEXES)"
            for _, name in tables
        ]
        statements += [
            f"ALTER SEQUENCE {table(name)} AS {kind} INCREMENT BY {step} MINVALUE {low} MAXVALUE {high} "
            f"START WITH {start} RESTART CACHE {cache} {'' if cycle else 'NO '}CYCLE"
            for name, kind, step, low, high, start, cache, cycle in sequences
        ]
        statements += [
            f"ALTER TABLE {table(name)} ADD CONSTRAINT {quote(conname)} {retarget(definition)}"
            for name, conname, definition in constraints
        ]
        statements += [retarget(sql) for sql in indexes + triggers]
        statements += _grants(new, grants, grantees)
        cursor.execute(";\n".join(statements))
        _copy_rows(cursor, template, schema, tables)


def _grants(schema, grants, grantees):
    if not grantees:
        return []
    everyone = ", ".join(sorted(grantees))
    statements = [
        f"REVOKE ALL ON SCHEMA {schema} FROM {everyone}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {everyone}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {everyone}",
    ]
    for name, sequence, grantee, privilege in grants:
        target = f"SCHEMA {schema}" if name is None else f"{'SEQUENCE' if sequence else 'TABLE'} {schema}.{quote(name)}"
        statements.append(f"GRANT {privilege} ON {target} TO {grantee}")
    return statements


def _copy_rows(cursor, template, schema, tables):
    """Copy the template's migration records and move each identity sequence past them; refuse any other row."""
    if not tables:
        return
    cursor.execute(
        " UNION ALL ".join(
            f"SELECT %s WHERE EXISTS (SELECT FROM {quote(template)}.{quote(name)})"  # noqa: S608
            for _, name in tables
        ),
        [oid for oid, _ in tables],
    )
    filled = [row[0] for row in cursor.fetchall()]
    names = dict(tables)
    stray = sorted(names[oid] for oid in filled if names[oid] != "django_migrations")
    if stray:
        # Anything else there would be copied into every new school.
        raise CloneError(
            f"The template schema {template!r} holds rows in {', '.join(stray)}; it may hold only its migration "
            "records (django_migrations). Delete those rows from the template, then try again."
        )
    if not filled:
        return
    cursor.execute(_COLUMNS, {"tables": filled})
    columns = {}
    for oid, name, identity in cursor.fetchall():
        columns.setdefault(oid, []).append((name, identity))
    for oid in filled:
        source, target = f"{quote(template)}.{quote(names[oid])}", f"{quote(schema)}.{quote(names[oid])}"
        listed = ", ".join(quote(name) for name, _ in columns[oid])
        cursor.execute(
            f"INSERT INTO {target} ({listed}) OVERRIDING SYSTEM VALUE SELECT {listed} FROM {source}"  # noqa: S608
        )
        for name, identity in columns[oid]:
            if identity:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, %s), max({quote(name)})) FROM {target}",  # noqa: S608
                    [target, name],
                )
