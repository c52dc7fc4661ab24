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
can only cost a re-render, never serve something stale.

Tokens live under the public schema's cache prefix, whichever school the
connection is on; each key names the school it is for.
"""

import threading
import time
import uuid

from django.core.cache import cache
from django_tenants.utils import get_public_schema_name, schema_context

TOKEN_SECONDS = 1.0
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
            cache.add(_key(name), uuid.uuid4().hex, None)
            value = cache.get(_key(name))
    with _lock:
        _held[name] = (value, now)
    return value


def replace(*names):
    """Invalidate everything made under these tokens, in every process."""
    with schema_context(get_public_schema_name()):
        cache.set_many({_key(name): uuid.uuid4().hex for name in names}, None)
    with _lock:
        for name in names:
            _held.pop(name, None)


def forget_local():
    """Drop this process's copies of the tokens (tests clear the shared cache between cases)."""
    with _lock:
        _held.clear()
