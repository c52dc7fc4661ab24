from django.db import migrations

# Row triggers do not see TRUNCATE (nor `manage.py flush`); a statement trigger refuses it too.
NO_TRUNCATE = """
CREATE TRIGGER tenants_auditevent_no_truncate
    BEFORE TRUNCATE ON tenants_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION tenants_audit_append_only();
"""

DROP = "DROP TRIGGER tenants_auditevent_no_truncate ON tenants_auditevent;"


class Migration(migrations.Migration):
    dependencies = [("tenants", "0003_auditevent_append_only_trigger")]

    operations = [migrations.RunSQL(NO_TRUNCATE, DROP)]
