from django.db import migrations

from tenants.grants import revoke_from_all_but_owner

# The audit log is append-only by its triggers (0003, 0004); the app role keeps
# only SELECT and INSERT on it as well.
REVOKE = revoke_from_all_but_owner("UPDATE, DELETE, TRUNCATE", "SELECT 'tenants_auditevent'::regclass")


class Migration(migrations.Migration):
    dependencies = [("tenants", "0010_user_email_normalised_platform_audit_actions")]

    operations = [migrations.RunSQL(REVOKE, migrations.RunSQL.noop)]
