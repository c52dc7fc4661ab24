"""Change tokens: how a process knows that what it holds in memory is still current.

Anything derived from shared state and kept between requests (a school's
rendered pages, which host belongs to which school) is stored with the token
its source had when it was read. A change replaces the token in the shared
cache with a fresh random one, so every copy made before it stops matching.

Reading a token from the shared cache costs as much as serving a small page, so
each process keeps the tokens it has read for TOKEN_SECONDS. A change is
therefore seen at once by the process that made it and within that time by
every other process and machine. A token missing from the cache (cleared,
evicted) is replaced by a fresh one, which also invalidates: losing a token
can only cost a re-render, never serve something stale; while the cache is
unreachable every read of a token gets a fresh one, so nothing is reused.

A token also expires from the shared cache MAX_AGE after it was made, and
nothing kept under a token is used longer than that. So an invalidation that
was lost (the cache could not be written when the change committed, or a row
was changed outside the services that replace tokens) heals within MAX_AGE.
Replacing a token once the transaction commits (replace_after_commit) never
fails the commit: a failure is logged.

Tokens live under the public schema's cache prefix, whichever school the
connection is on; each key names the school it is for.
"""

import logging
import threading
import time
import uuid

from django.core.cache import cache
from django.db import transaction
from django_tenants.utils import get_public_schema_name, schema_context

logger = logging.getLogger(__name__)

TOKEN_SECONDS = 1.0
# The longest anything derived from a token is kept. Expiry costs at most one
# render per page and hour, against a stale page for as long as a lost
# invalidation would otherwise last: for good.
MAX_AGE = 3600
HOSTS = "hosts"

_held = {}
_lock = threading.Lock()


def pages(schema_name):
    """The token of one school's public pages: replaced when it publishes."""
    return f"pages:{schema_name}"


def _key(name):
    return f"token:{name}"


def token(name):
    now = time.monotonic()
    held = _held.get(name)
    if held is not None and now - held[1] < TOKEN_SECONDS:
        return held[0]
    with schema_context(get_public_schema_name()):
        value = cache.get(_key(name))
        if value is None:
            cache.add(_key(name), uuid.uuid4().hex, MAX_AGE)
            value = cache.get(_key(name))
    if value is None:
        # The shared cache cannot keep a token (it is unreachable): one of our own, kept nowhere, matches nothing
        # made before or after, so nothing is reused until the cache is back.
        return uuid.uuid4().hex
    with _lock:
        _held[name] = (value, now)
    return value


def replace(*names):
    """Invalidate everything made under these tokens, in every process."""
    with schema_context(get_public_schema_name()):
        cache.set_many({_key(name): uuid.uuid4().hex for name in names}, MAX_AGE)
    with _lock:
        for name in names:
            _held.pop(name, None)


def replace_after_commit(*names):
    """replace(*names) once the current transaction commits (at once outside one); never fails the commit.

    A request racing the change would otherwise read the old rows and keep
    them under the new token. If the cache cannot be written, what the tokens
    guard stays in use until they expire (MAX_AGE).
    """

    def replace_or_log():
        try:
            replace(*names)
        except Exception:
            logger.exception("Could not replace the change tokens %s; they expire within %s s", names, MAX_AGE)

    # robust as well, so that not even a failure to log turns a committed change into an error.
    transaction.on_commit(replace_or_log, robust=True)


def forget_local():
    """Drop this process's copies of the tokens (tests clear the shared cache between cases)."""
    with _lock:
        _held.clear()
