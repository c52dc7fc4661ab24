"""The portal's gunicorn settings plus one hook, for the benchmark only.

Each worker marks itself ready once it has loaded the application. The suite waits
for every mark before it measures, because a worker that is still importing Django
takes CPU from the ones answering and skews the first seconds of a run.
"""

import os
from pathlib import Path

from trust_portal.gunicorn import threads, workers  # noqa: F401 (gunicorn reads them from here)


def post_worker_init(worker):
    Path(os.environ["BENCH_READY_DIR"], str(worker.pid)).touch()
