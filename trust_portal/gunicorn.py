"""gunicorn's settings for every way the portal is served: `make serve`, the image and `make bench`.

Sync workers, two per core. On a 2-core machine `make bench` measured the cached
notice page under six layouts (bench/results/latest.md, "gunicorn layouts"): two
and four sync workers took turns being best across runs, and every gthread layout
had a clearly higher p99 in every run. Two per core rather than one leaves a
worker free while another waits on the database or renders a publish from the
admin. Sync workers must sit behind a buffering proxy, which production has for
TLS anyway (docs/scaling.md). WEB_WORKERS and WEB_THREADS override both.
"""

import os


def _positive(name, default):
    value = os.environ.get(name, str(default))
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


workers = _positive("WEB_WORKERS", 2 * (os.cpu_count() or 1))
threads = _positive("WEB_THREADS", 1)
