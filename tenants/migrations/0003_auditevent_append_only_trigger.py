from django.db import migrations

APPEND_ONLY = """
CREATE FUNCTION tenants_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tenants_auditevent_append_only
    BEFORE UPDATE OR DELETE ON tenants_auditevent
    FOR EACH ROW EXECUTE FUNCTION tenants_audit_append_only();
"""

DROP = """
DROP TRIGGER tenants_auditevent_append_only ON tenants_auditevent;
DROP FUNCTION tenants_audit_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("tenants", "0002_auditevent_publishrun_publishrunitem")]

    operations = [migrations.RunSQL(APPEND_ONLY, DROP)]
