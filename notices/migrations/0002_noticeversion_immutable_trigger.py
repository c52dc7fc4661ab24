from django.db import migrations

# Runs once per school schema: the function and trigger are created in the
# schema being migrated, next to that school's versions table.
IMMUTABLE = """
CREATE FUNCTION notices_version_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'published notice versions are immutable: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation',
              HINT = 'Publish a new version instead.';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER notices_noticeversion_immutable
    BEFORE UPDATE OR DELETE ON notices_noticeversion
    FOR EACH ROW EXECUTE FUNCTION notices_version_immutable();
"""

DROP = """
DROP TRIGGER notices_noticeversion_immutable ON notices_noticeversion;
DROP FUNCTION notices_version_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial")]

    operations = [migrations.RunSQL(IMMUTABLE, DROP)]
