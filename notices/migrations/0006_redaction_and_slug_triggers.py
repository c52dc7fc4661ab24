from django.db import migrations

# Runs once per school schema. Tables are named through TG_TABLE_SCHEMA so a
# trigger only ever looks at its own school's rows, whatever the search path.
SQL = """
CREATE OR REPLACE FUNCTION notices_version_immutable() RETURNS trigger AS $$
DECLARE
    on_record boolean;
BEGIN
    -- The one change allowed: notices.withdrawal.redact_version replacing a
    -- version's content, once, after the redaction is on record.
    -- Nested, so OLD and NEW are never read for a statement-level TRUNCATE.
    IF TG_OP = 'UPDATE' THEN
        IF OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL
           AND NEW.id = OLD.id AND NEW.notice_id = OLD.notice_id AND NEW.number = OLD.number
           AND NEW.published_at = OLD.published_at AND NEW.material = OLD.material AND NEW.forced = OLD.forced
           AND NEW.published_by_id IS NOT DISTINCT FROM OLD.published_by_id THEN
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.notices_withdrawal WHERE version_id = $1 AND redacted)',
                           TG_TABLE_SCHEMA) INTO on_record USING OLD.id;
            IF on_record THEN
                RETURN NEW;
            END IF;
        END IF;
    END IF;
    RAISE EXCEPTION 'published notice versions are immutable: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation',
              HINT = 'Publish a new version instead.';
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION notices_withdrawal_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'withdrawals are part of the record: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER notices_withdrawal_append_only
    BEFORE UPDATE OR DELETE ON notices_withdrawal
    FOR EACH ROW EXECUTE FUNCTION notices_withdrawal_append_only();
CREATE TRIGGER notices_withdrawal_no_truncate
    BEFORE TRUNCATE ON notices_withdrawal
    FOR EACH STATEMENT EXECUTE FUNCTION notices_withdrawal_append_only();

CREATE FUNCTION notices_slug_fixed_once_published() RETURNS trigger AS $$
DECLARE
    published boolean;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.notices_noticeversion WHERE notice_id = $1)', TG_TABLE_SCHEMA)
        INTO published USING OLD.id;
    IF published THEN
        RAISE EXCEPTION 'a published notice keeps its slug: parents hold links to /privacy/%/', OLD.slug
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER notices_notice_slug_fixed
    BEFORE UPDATE OF slug ON notices_notice
    FOR EACH ROW WHEN (NEW.slug IS DISTINCT FROM OLD.slug)
    EXECUTE FUNCTION notices_slug_fixed_once_published();
"""

REVERSE = """
DROP TRIGGER notices_notice_slug_fixed ON notices_notice;
DROP FUNCTION notices_slug_fixed_once_published();
DROP TRIGGER notices_withdrawal_no_truncate ON notices_withdrawal;
DROP TRIGGER notices_withdrawal_append_only ON notices_withdrawal;
DROP FUNCTION notices_withdrawal_append_only();
CREATE OR REPLACE FUNCTION notices_version_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'published notice versions are immutable: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation',
              HINT = 'Publish a new version instead.';
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("notices", "0005_withdrawal_redaction_identity_paths")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
