from django.db import migrations

# Users are deactivated, never deleted: histories, published versions and the
# audit log in every school name them, and school tables keep no foreign key into
# the public schema (see notices.models.school_history), so this trigger is what
# keeps those names pointing at a row.
NEVER_DELETED = """
CREATE FUNCTION tenants_user_never_deleted() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'users are deactivated, never deleted: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tenants_user_never_deleted
    BEFORE DELETE ON tenants_user
    FOR EACH ROW EXECUTE FUNCTION tenants_user_never_deleted();
"""

DROP = """
DROP TRIGGER tenants_user_never_deleted ON tenants_user;
DROP FUNCTION tenants_user_never_deleted();
"""


class Migration(migrations.Migration):
    dependencies = [("tenants", "0004_auditevent_no_truncate")]

    operations = [migrations.RunSQL(NEVER_DELETED, DROP)]
