from django.db import migrations, models

# Versions published before effective dates were in force from the moment they were published. The one UPDATE
# this table has ever needed: the immutability trigger is off for this statement only, in this migration's
# transaction, run by the owner role.
BACKFILL = """
ALTER TABLE notices_noticeversion DISABLE TRIGGER notices_noticeversion_immutable;
UPDATE notices_noticeversion SET effective_at = published_at WHERE effective_at IS NULL;
ALTER TABLE notices_noticeversion ENABLE TRIGGER notices_noticeversion_immutable;
"""


class Migration(migrations.Migration):
    dependencies = [("notices", "0008_follow_trust_templates")]

    operations = [
        migrations.AddField(
            model_name="noticeversion",
            name="effective_at",
            field=models.DateTimeField(null=True, verbose_name="in force from"),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="noticeversion",
            name="effective_at",
            field=models.DateTimeField(verbose_name="in force from"),
        ),
        migrations.AddField(
            model_name="noticeversion",
            name="urgent_reason",
            field=models.TextField(
                blank=True,
                db_default="",
                default="",
                help_text="Why a material change takes effect sooner than the trust's notice period (a legal duty).",
            ),
        ),
        migrations.AddConstraint(
            model_name="noticeversion",
            constraint=models.CheckConstraint(
                condition=models.Q(("effective_at__gte", models.F("published_at"))),
                name="version_in_force_after_publication",
            ),
        ),
    ]
