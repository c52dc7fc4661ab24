import logging
import signal
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Worker

from announcements import pump
from notices.bulk import DATABASE_UNAVAILABLE, STOPPING, hand_back_runs, resume_abandoned_runs, this_process

logger = logging.getLogger(__name__)

# Back-off between reconnection attempts: 1, 2, 4, ... seconds, never longer than this.
MAX_BACKOFF = 30


def _first_line(exc):
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class Command(BaseCommand):
    help = (
        "Run the background worker: the task queue, and every trust-wide publish whose worker stopped. "
        "Survives database restarts; stop it with SIGTERM."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds to wait when idle before looking again (default 1)."
        )

    def handle(self, *args, interval, **options):
        if interval <= 0:
            raise CommandError(f"--interval must be more than 0 seconds, got {interval:g}.")
        holder = this_process()
        # django-tasks-db's loop in batch mode drains the queue and returns, so that between batches this
        # loop can take up abandoned runs and catch a lost database connection.
        worker = Worker(
            queue_names=[DEFAULT_TASK_QUEUE_NAME],
            interval=0,
            batch=True,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=holder[:64],
            excluded_queue_names=[],
        )
        self._stop_on_signals(worker)
        self.stdout.write(
            f"Worker {holder} started: lease {settings.PUBLISH_RUN_LEASE_SECONDS} s, "
            f"up to {settings.PUBLISH_RUN_MAX_ATTEMPTS} attempts per run.",
        )
        self.stdout.flush()
        try:
            self._loop(worker, holder, interval)
        finally:
            self._hand_back(holder)

    def _loop(self, worker, holder, interval):
        failures = 0
        while worker.running:
            try:
                resume_abandoned_runs(holder=holder)
                worker.run()
                self._pump()
            except DATABASE_UNAVAILABLE as exc:
                failures += 1
                delay = min(2 ** (failures - 1), MAX_BACKOFF)
                self.stderr.write(f"Database unavailable ({_first_line(exc)}); retry {failures} in {delay} s.")
                connections.close_all()
                connection.set_schema_to_public()
                time.sleep(delay)
                continue
            if failures:
                self.stdout.write(f"Database reachable again after {failures} failed attempt(s).")
                self.stdout.flush()
                failures = 0
            time.sleep(interval)

    def _pump(self):
        # Announcements (emails, webhooks) go on between task batches. A bug in one must not stop the publishing
        # work, so anything but a lost database is logged and the next pass tries again.
        while not STOPPING.is_set():
            try:
                if not pump.run_once():
                    return
            except DATABASE_UNAVAILABLE:
                raise
            except Exception:
                logger.exception("Sending announcements failed; trying again on the next pass.")
                return

    def _stop_on_signals(self, worker):
        """Stop at once, wherever the worker is: the item in hand rolls back and its run is handed back."""

        def stop(signum, frame):
            worker.running = False
            STOPPING.set()
            signal.signal(signum, signal.SIG_DFL)  # a second signal ends the process without the hand-back
            sys.exit(0)

        signal.signal(signal.SIGTERM, stop)
        # A shell starts background jobs with SIGINT ignored, leaving the stop to its own trap (scripts/serve).
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            signal.signal(signal.SIGINT, stop)

    def _hand_back(self, holder):
        connections.close_all()
        try:
            released = hand_back_runs(holder)
        except DATABASE_UNAVAILABLE as exc:
            reason = _first_line(exc)
            self.stderr.write(f"Stopping; could not hand back runs ({reason}): they resume when their leases run out.")
        else:
            if released:
                self.stdout.write(f"Stopping; handed back {released} unfinished run(s) for another worker to resume.")
