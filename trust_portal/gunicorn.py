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

from django.core.exceptions import ImproperlyConfigured

from trust_portal.env import env_int

try:
    workers = env_int("WEB_WORKERS", 2 * (os.cpu_count() or 1), minimum=1)
    threads = env_int("WEB_THREADS", 1, minimum=1)
except ImproperlyConfigured as error:
    # gunicorn prints a traceback for a config file that raises; a bad value needs one line.
    raise SystemExit(str(error)) from None
