"""Grants that migrations take back from the app role on append-only tables (docs/decisions/0006).

The owner's default privileges give the app role SELECT, INSERT, UPDATE and
DELETE on every new table. Migrations do not know that role's name (each
deployment chooses it), so they revoke from every role but the table's owner.
"""


def revoke_from_all_but_owner(privileges, tables):
    """SQL revoking `privileges` (e.g. "UPDATE, DELETE") on `tables` (SQL yielding regclasses)."""
    # Both arguments are the migrations' own literals.
    return f"""
DO $$
DECLARE
    g record;
BEGIN
    FOR g IN
        SELECT c.oid::regclass::text AS target,
               CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END AS grantee
        FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid IN ({tables}) AND a.grantee <> c.relowner
        GROUP BY 1, 2
    LOOP
        EXECUTE format('REVOKE {privileges} ON %s FROM %s', g.target, g.grantee);
    END LOOP;
END
$$;
"""  # noqa: S608
