"""Trust-wide publishing: plan a run of every pending notice, then execute it in the background.

Each item is published with publishing.publish_notice, so a bulk version is made
exactly as a single one is.
"""

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from notices.models import Notice
from notices.publishing import PublishRefused, notice_status, publish_notice
from tenants import audit
from tenants.models import PublishRun, PublishRunItem


def plan_trust_publish(trust, *, user, summary, material=True):
    """A PublishRun listing every notice with unpublished changes (or never published) in `trust`'s schools."""
    summary = (summary or "").strip()
    if not summary:
        raise PublishRefused(["Say what changed: the summary is shown to parents with every new version."])
    pending = []
    for school in trust.schools.select_related("trust").order_by("name"):
        with tenant_context(school):
            pending += [
                (school, notice) for notice in Notice.objects.all() if notice_status(notice, school=school) != "live"
            ]
    with transaction.atomic():
        run = PublishRun.objects.create(trust=trust, started_by=user, summary=summary, material=material)
        PublishRunItem.objects.bulk_create(
            PublishRunItem(run=run, school=school, notice_slug=notice.slug, notice_title=notice.title)
            for school, notice in pending
        )
        audit.record(audit.Action.BULK_PUBLISH, actor=user, trust=trust, run=run.pk, notices=len(pending))
    return run


def execute_publish_run(run, *, on_progress=None):
    """Publish every pending item of `run`, school by school; one failure never stops the rest."""
    PublishRun.objects.filter(pk=run.pk).update(status=PublishRun.Status.RUNNING)
    items = list(run.items.select_related("school__trust").filter(status=PublishRunItem.Status.PENDING))
    for done, item in enumerate(items, start=1):
        try:
            with tenant_context(item.school):
                notice = Notice.objects.get(slug=item.notice_slug)
                version = publish_notice(notice, user=run.started_by, summary=run.summary, material=run.material)
            item.status, item.version_number = PublishRunItem.Status.PUBLISHED, version.number
        # Anything one school's notice raises is that school's result, reported by name.
        except Exception as exc:  # noqa: BLE001
            item.status, item.message = PublishRunItem.Status.FAILED, str(exc) or type(exc).__name__
            audit.record(
                audit.Action.PUBLISH_FAILED,
                actor=run.started_by,
                school=item.school,
                notice=item.notice_slug,
                run=run.pk,
                error=item.message,
            )
        PublishRunItem.objects.filter(pk=item.pk).update(
            status=item.status, version_number=item.version_number, message=item.message
        )
        if on_progress:
            on_progress(done, len(items), item)
    PublishRun.objects.filter(pk=run.pk).update(status=PublishRun.Status.DONE, finished_at=timezone.now())
    run.refresh_from_db()
    return run
