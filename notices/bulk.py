"""Trust-wide publishing: plan a run of every pending notice, then execute it in the background.

Each item is published with publishing.publish_notice, so a bulk version is made
exactly as a single one is. The process executing a run holds a lease on it and
renews it before every item; several processes may publish one run at once,
each item published by whichever locks it first. An item's publish and its
recorded result commit together, so a run whose worker died is resumed where it
stopped and no notice is published twice (docs/decisions/0004-background-publishing.md).
"""

import datetime
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django_tenants.utils import tenant_context

from notices import selectors
from notices.following import conflicts, released_in
from notices.models import Notice
from notices.publishing import (
    BaseMoved,
    HasConflicts,
    NothingToPublish,
    PublishRefused,
    check_notice_period,
    not_past,
    pending_change,
    publish_notice,
)
from tenants import access, audit
from tenants.models import PublishRun, PublishRunItem, TemplateRelease

logger = logging.getLogger(__name__)

# Set when this process is being stopped (run_worker's signal handler): it takes no further item. A flag as well
# as the SystemExit the handler raises, because an exception raised inside a library's finalizer (WeasyPrint's
# fonts) is swallowed, and the stop would be lost.
STOPPING = threading.Event()

# The connection failed (database restarted, backend terminated): not any school's result.
DATABASE_UNAVAILABLE = (InterfaceError, OperationalError)


def plan_trust_publish(trust, *, user, summary, material=True, effective_at=None, urgent_reason=""):
    """A PublishRun listing every notice with unpublished changes (or never published) in `trust`'s schools."""
    summary = (summary or "").strip()
    if not summary:
        raise PublishRefused(["Say what changed: the summary is shown to parents with every new version."])
    # Refused before anything is queued; each school's publish_notice checks it again against its own versions.
    now = timezone.now()
    effective = not_past(effective_at, now=now)
    check_notice_period(trust, material=material, effective_at=effective, urgent_reason=urgent_reason, now=now)
    pending = []
    for school in trust.schools.select_related("trust").order_by("name"):
        with tenant_context(school):
            for notice in Notice.objects.all():
                change = pending_change(notice, school=school)
                if change.has_changes:
                    pending.append((school, notice, change, conflicts(notice)))
    with transaction.atomic():
        run = PublishRun.objects.create(
            trust=trust,
            started_by=user,
            summary=summary,
            material=material,
            effective_at=effective_at,
            urgent_reason=(urgent_reason or "").strip(),
        )
        PublishRunItem.objects.bulk_create(
            PublishRunItem(
                run=run,
                school=school,
                notice_slug=notice.slug,
                notice_title=notice.title,
                base_number=change.latest_number,
                base_hash=change.document_hash,
                # Reported, never published, until its DPL resolves them.
                **(
                    {
                        "status": PublishRunItem.Status.SKIPPED,
                        "message": f"Not published: {len(unresolved)} unresolved conflict(s) with the trust's "
                        f"template ({', '.join(c.label for c in unresolved)}).",
                    }
                    if unresolved
                    else {}
                ),
            )
            for school, notice, change, unresolved in pending
        )
        audit.record(audit.Action.BULK_PUBLISH, actor=user, trust=trust, run=run.pk, notices=len(pending))
    return run


def this_process():
    """The lease holder's name: host and pid, so an operator can find the process (and only a dead one reuses it)."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def _lease():
    return datetime.timedelta(seconds=settings.PUBLISH_RUN_LEASE_SECONDS)


def _abandoned(now, holder):
    """Runs nobody is executing: their lease ran out (or is `holder`'s own, which is not executing it now),
    or queued for longer than a lease with no worker taking them up (their task was lost)."""
    running = Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True) | Q(lease_holder=holder)
    lost = Q(status=PublishRun.Status.QUEUED, created_at__lt=now - _lease())
    return Q(status=PublishRun.Status.RUNNING) & running | lost


def _claim(run_pk, holder):
    """Take part in run `run_pk`: start it if queued, resume it if abandoned, or join the live processes already
    publishing it. None if it ended (or is failed now, tried PUBLISH_RUN_MAX_ATTEMPTS times, with its reason).

    Several processes may publish one run at once: each item is published by whichever locks it first
    (_execute_item), so joining adds speed and never a second version.
    """
    now = timezone.now()
    with transaction.atomic():
        run = (
            PublishRun.objects.select_for_update()
            .filter(pk=run_pk, status__in=(PublishRun.Status.QUEUED, PublishRun.Status.RUNNING))
            .first()
        )
        if run is None:
            return None
        live = run.status == PublishRun.Status.RUNNING and run.lease_expires_at and run.lease_expires_at >= now
        if live:
            return run
        if run.attempts >= settings.PUBLISH_RUN_MAX_ATTEMPTS:
            last = run.lease_holder or "an earlier worker"
            _fail(run, f"the worker publishing it stopped before finishing, each time (the last was {last}).")
            return None
        if run.status == PublishRun.Status.RUNNING:
            logger.warning(
                "Resuming publish run %s of %s (attempt %s of %s): its lease held by %s ran out.",
                run.pk,
                run.trust_id,
                run.attempts + 1,
                settings.PUBLISH_RUN_MAX_ATTEMPTS,
                run.lease_holder or "an earlier worker",
            )
        run.status, run.lease_holder, run.lease_expires_at = PublishRun.Status.RUNNING, holder, now + _lease()
        run.attempts += 1
        run.save(update_fields=["status", "lease_holder", "lease_expires_at", "attempts"])
    return run


def _fail(run, reason):
    """End `run` as failed: every item not yet published says why, as an item that failed on its own would."""
    message = f"Not published: the run failed after {run.attempts} attempts."
    for item in run.items.select_related("school").filter(status=PublishRunItem.Status.PENDING):
        _record_failure(run, item, message)
    run.items.filter(status=PublishRunItem.Status.PENDING).update(status=PublishRunItem.Status.FAILED, message=message)
    run.status, run.failure_reason, run.finished_at = PublishRun.Status.FAILED, reason, timezone.now()
    run.lease_holder, run.lease_expires_at = "", None
    run.save(update_fields=["status", "failure_reason", "finished_at", "lease_holder", "lease_expires_at"])
    logger.error("Publish run %s of %s failed after %s attempts: %s", run.pk, run.trust_id, run.attempts, reason)


def _record_failure(run, item, message):
    audit.record(
        audit.Action.PUBLISH_FAILED,
        actor=run.started_by,
        school=item.school,
        notice=item.notice_slug,
        run=run.pk,
        error=message,
    )


def _renew_lease(run):
    """The heartbeat of whoever is publishing the run: False once the run has ended."""
    renewed = PublishRun.objects.filter(pk=run.pk, status=PublishRun.Status.RUNNING)
    return renewed.update(lease_expires_at=timezone.now() + _lease()) == 1


class ItemSkipped(Exception):
    """The item no longer matches what the run was planned against, or its publisher lost the role."""


def publish_run_item(run, item):
    """Publish one item of a run; the one place a bulk run publishes.

    Checked again now, not only when the run was planned: the publisher must
    still publish for the trust, and the notice must still be what was planned
    (nobody published it, nobody edited it since), else it is skipped.
    """
    if run.started_by is not None and not access.can_publish_trust(run.started_by, run.trust):
        raise ItemSkipped(f"{run.started_by.email} no longer publishes for {run.trust.name}; nothing was published.")
    with tenant_context(item.school):
        notice = Notice.objects.get(slug=item.notice_slug)
        try:
            return publish_notice(
                notice,
                user=run.started_by,
                summary=summary_naming_release(run.summary, notice),
                material=run.material,
                effective_at=run.effective_at,
                urgent_reason=run.urgent_reason,
                base_number=item.base_number,
                base_hash=item.base_hash or None,
            )
        except (BaseMoved, NothingToPublish, HasConflicts) as exc:
            raise ItemSkipped("Skipped: " + " ".join(exc.problems)) from exc


def summary_naming_release(summary, notice):
    """A version's `summary`; for a notice that follows a template, it names the trust release it brings.

    The one wording of it, for bulk runs and anyone else publishing a following notice (the demo).
    """
    if not notice.follows_id:
        return summary
    release = TemplateRelease.objects.filter(template_id=notice.follows_id, number=notice.release).first()
    live = released_in(selectors.current_version(notice), notice.follows)
    if release is None or live >= release.number or release.summary in summary:
        return summary
    return f"{summary} (Trust release {release.number}: {release.summary})"


def _execute_item(run, item_pk):
    """Publish a pending item and record its result in one transaction; None if it is not pending (done by an
    earlier attempt) or another worker has it in hand. A crash mid-way leaves it pending and unpublished."""
    with transaction.atomic():
        item = (
            PublishRunItem.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("school__trust")
            .filter(pk=item_pk, status=PublishRunItem.Status.PENDING)
            .first()
        )
        if item is None:
            return None
        try:
            # A savepoint: a failed publish is undone on its own and its failure can still be recorded.
            with transaction.atomic():
                version = publish_run_item(run, item)
            item.status, item.version_number = PublishRunItem.Status.PUBLISHED, version.number
        except DATABASE_UNAVAILABLE:
            raise
        except ItemSkipped as exc:
            item.status, item.message = PublishRunItem.Status.SKIPPED, str(exc)
        # Anything else one school's notice raises is that school's result, reported by name.
        except Exception as exc:  # noqa: BLE001
            item.status, item.message = PublishRunItem.Status.FAILED, str(exc) or type(exc).__name__
            _record_failure(run, item, item.message)
        item.save(update_fields=["status", "version_number", "message"])
    return item


def _finish(run):
    """Mark `run` done once no item is pending, whichever process published the last one."""
    pending = PublishRunItem.objects.filter(run=OuterRef("pk"), status=PublishRunItem.Status.PENDING)
    PublishRun.objects.filter(~Exists(pending), pk=run.pk, status=PublishRun.Status.RUNNING).update(
        status=PublishRun.Status.DONE, finished_at=timezone.now(), lease_holder="", lease_expires_at=None
    )


def execute_publish_run(run, *, holder=None, on_progress=None, should_stop=None):
    """Publish pending items of `run` until none is left that another process does not have in hand.

    Any number of processes may run this for one run at once (notices.tasks enqueues one task per school):
    each takes the items nobody holds, so N workers publish N schools at a time. An item left pending by a
    process that died is taken on the next pass. One failure never stops the rest; `should_stop`, asked
    before each item, ends this process's part (a command's Ctrl-C). Returns the run as it now stands.
    """
    holder = holder or this_process()
    claimed = _claim(run.pk, holder)
    if claimed is not None:
        pending = PublishRunItem.objects.filter(run=claimed, status=PublishRunItem.Status.PENDING)
        total, done = pending.count(), 0
        progressed = True
        while progressed and _renew_lease(claimed):
            progressed = False
            for item_pk in list(pending.values_list("pk", flat=True)):
                if STOPPING.is_set() or (should_stop and should_stop()) or not _renew_lease(claimed):
                    progressed = False
                    break
                item = _execute_item(claimed, item_pk)
                if item is not None:
                    progressed, done = True, done + 1
                    if on_progress:
                        on_progress(done, max(total, done), item)
        _finish(claimed)
    run.refresh_from_db()
    return run


def resume_abandoned_runs(*, holder=None):
    """Take up every run whose worker stopped: resume it, or fail it past the attempt limit. Returns how many."""
    holder = holder or this_process()
    abandoned = PublishRun.objects.filter(_abandoned(timezone.now(), holder)).order_by("created_at")
    runs = list(abandoned.only("pk"))
    for run in runs:
        execute_publish_run(run, holder=holder)
    return len(runs)


def hand_back_runs(holder):
    """On a stop signal: release `holder`'s runs so a live worker resumes them at once, the attempt not counted."""
    held = PublishRun.objects.filter(status=PublishRun.Status.RUNNING, lease_holder=holder, attempts__gt=0)
    return held.update(lease_expires_at=timezone.now(), attempts=F("attempts") - 1)
