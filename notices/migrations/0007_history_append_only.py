from django.db import migrations

from tenants.grants import revoke_from_all_but_owner

# Runs once per school schema. Every simple-history table (notices_historical*,
# the m2m ones included) refuses UPDATE, DELETE and TRUNCATE, as versions do
# (0002, 0003): simple_history only inserts. The app role also loses those
# grants; on versions it loses DELETE only, since an audited redaction updates a
# version through a narrow exception in its trigger. Withdrawals (0005) are
# append-only for it too.
HISTORY_TABLES = """
SELECT c.oid FROM pg_class c
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname LIKE 'notices\\_historical%'
"""

APPEND_ONLY = f"""
CREATE FUNCTION notices_history_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'history is append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT c.oid::regclass AS id, c.relname FROM pg_class c WHERE c.oid IN ({HISTORY_TABLES}) LOOP
        EXECUTE format(
            'CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION notices_history_append_only()',
            t.relname || '_append_only', t.id
        );
        EXECUTE format(
            'CREATE TRIGGER %I BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION notices_history_append_only()',
            t.relname || '_no_truncate', t.id
        );
    END LOOP;
END
$$;
{revoke_from_all_but_owner("UPDATE, DELETE, TRUNCATE", HISTORY_TABLES)}
{revoke_from_all_but_owner("DELETE, TRUNCATE", "SELECT 'notices_noticeversion'::regclass")}
{revoke_from_all_but_owner("UPDATE, DELETE, TRUNCATE", "SELECT 'notices_withdrawal'::regclass")}
"""

# Reversing drops the triggers with their function; the grants stay taken back.
DROP = "DROP FUNCTION notices_history_append_only() CASCADE;"


class Migration(migrations.Migration):
    dependencies = [("notices", "0006_redaction_and_slug_triggers")]

    operations = [migrations.RunSQL(APPEND_ONLY, DROP)]
