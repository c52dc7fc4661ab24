from django.db import migrations

# Row triggers do not see TRUNCATE; a statement trigger refuses it too. The
# function from 0002 raises whatever the operation (TG_OP says which).
NO_TRUNCATE = """
CREATE TRIGGER notices_noticeversion_no_truncate
    BEFORE TRUNCATE ON notices_noticeversion
    FOR EACH STATEMENT EXECUTE FUNCTION notices_version_immutable();
"""

DROP = "DROP TRIGGER notices_noticeversion_no_truncate ON notices_noticeversion;"


class Migration(migrations.Migration):
    dependencies = [("notices", "0002_noticeversion_immutable_trigger")]

    operations = [migrations.RunSQL(NO_TRUNCATE, DROP)]
