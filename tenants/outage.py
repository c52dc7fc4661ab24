"""503 Service Unavailable: the answer when a page cannot be served correctly right now.

Two causes: the database cannot be reached (an outage, a restart, a failover),
or a stored file no longer matches the hash recorded when it was published.
Either way the visitor gets a plain page and a Retry-After, never a traceback,
and nothing on the way out (the page caches, a CDN) keeps the answer.

Pages already in the page caches keep being served during a database outage:
they are answered before anything here runs (notices/cache.py).
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
# What a lost or refused database connection raises (Django wraps the driver's errors in these).
DATABASE_DOWN = (OperationalError, InterfaceError)


class Unavailable(Exception):
    """Raised where serving would be wrong for now; answered with 503 by OutageMiddleware."""


def unavailable():
    # The page is plain HTML with no context: rendering it must not need the database.
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def database_down(exc):
    logger.warning("Database unavailable, answering 503: %s", exc)
    return unavailable()


class OutageMiddleware:
    """Turn a database outage (or an Unavailable) raised by a view into a 503.

    Sits right inside HostTenantMiddleware, which answers a failed host lookup
    the same way. Django turns an exception into a 500 at every middleware
    layer it crosses, so this catches through process_exception, which sees
    what the view (and its template rendering, and the lazy session and user
    it reads) raises before any layer does. The middleware between here and
    the view touch the database only to save a session the view changed,
    which a view needing the database has already failed before.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if isinstance(exc, DATABASE_DOWN):
            return database_down(exc)
        if isinstance(exc, Unavailable):
            return unavailable()
        return None
