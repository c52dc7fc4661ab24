from django.db import migrations

# The audit log stays append-only, with one exception: tenants.audit.purge_expired
# may delete entries older than the retention period. It says so for its own
# transaction (SET LOCAL), and entries younger than a year are refused even then,
# whatever AUDIT_RETENTION_DAYS says.
SQL = """
CREATE OR REPLACE FUNCTION tenants_audit_append_only() RETURNS trigger AS $$
BEGIN
    -- Nested, so OLD is never read for a statement-level TRUNCATE.
    IF TG_OP = 'DELETE' AND current_setting('portal.audit_purge', true) = 'on' THEN
        IF OLD.at < now() - interval '365 days' THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""

REVERSE = """
CREATE OR REPLACE FUNCTION tenants_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("tenants", "0005_user_never_deleted")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
