import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from notices.bulk import execute_publish_run, hand_back_runs, plan_trust_publish, this_process
from notices.management.options import add_when_arguments, publisher_option
from notices.publishing import PublishRefused
from tenants.models import Trust


class Command(BaseCommand):
    help = "Publish every notice with unpublished changes in every school of a trust, with one summary."

    def add_arguments(self, parser):
        parser.add_argument("trust")
        parser.add_argument("--summary", required=True)
        parser.add_argument("--user", help="Email of a publisher of the trust; recorded on every version.")
        parser.add_argument("--non-material", action="store_true")
        add_when_arguments(parser)

    def handle(self, *args, trust, summary, user, non_material, effective, urgent_reason, **options):
        found = Trust.objects.filter(slug=trust).first()
        if found is None:
            known = ", ".join(Trust.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No trust with slug '{trust}'. Known trusts: {known}.")
        publisher = publisher_option(user, found)
        try:
            run = plan_trust_publish(
                found,
                user=publisher,
                summary=summary,
                material=not non_material,
                effective_at=effective,
                urgent_reason=urgent_reason,
            )
        except PublishRefused as exc:
            raise CommandError(" ".join(exc.problems)) from None
        total = run.items.count()
        self.stdout.write(f"{found.name}: {total} notice{'s' if total != 1 else ''} to publish")
        # Ctrl-C stops between notices: a KeyboardInterrupt raised mid-publish can be swallowed by a library's
        # finalizer (WeasyPrint's fonts), so the signal only asks, and the loop stops before the next notice.
        interrupted = threading.Event()
        previous = signal.signal(signal.SIGINT, lambda *_: interrupted.set())
        try:
            run = execute_publish_run(
                run, holder=this_process(), on_progress=self._progress, should_stop=interrupted.is_set
            )
        finally:
            signal.signal(signal.SIGINT, previous)
        if interrupted.is_set() and run.status == "running":
            # What is published stays published; the worker takes up the rest at once.
            hand_back_runs(this_process())
            rest = f"the background worker (run_worker) publishes the rest of run {run.pk}."
            raise CommandError(f"Interrupted: {rest}")
        failed = run.items.filter(status="failed")
        if failed:
            names = ", ".join(f"{item.school.name} ({item.notice_slug})" for item in failed)
            raise CommandError(f"{failed.count()} of {total} failed: {names}")
        self.stdout.write(self.style.SUCCESS(f"Done: {total} published."))

    def _progress(self, done, total, item):
        width = 30
        filled = int(width * done / total)
        result = f"v{item.version_number}" if item.status == "published" else f"FAILED: {item.message}"
        self.stdout.write(
            f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {item.school.name} / {item.notice_slug}: {result}"
        )
