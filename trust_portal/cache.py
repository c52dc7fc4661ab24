"""The shared cache on Redis, degrading to a miss while Redis is unreachable.

Everything the portal keeps in the shared cache can be made again from the
database: rendered pages, host lookups and change tokens (a missing token is
replaced, which only costs a re-render; tenants.generations). So an outage of
Redis must cost speed, never a 500: a read that cannot reach it is a miss, a
write is dropped, and both are logged. Short socket timeouts keep a request from
waiting long on a server that is gone. Errors other than a lost connection (a
bad command, a full memory) are not hidden.
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


def _or(fallback):
    def wrap(method):
        @functools.wraps(method)
        def guarded(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as exc:
                logger.warning("Shared cache unreachable (%s): %s skipped", exc.__class__.__name__, method.__name__)
                return fallback(*args, **kwargs) if callable(fallback) else fallback

        return guarded

    return wrap


def _default(key, default=None, version=None):
    return default


def _all_failed(data, *args, **kwargs):
    return list(data)  # what set_many returns: the keys it could not set


class ResilientRedisCache(RedisCache):
    get = _or(_default)(RedisCache.get)
    get_many = _or({})(RedisCache.get_many)
    has_key = _or(False)(RedisCache.has_key)
    add = _or(False)(RedisCache.add)
    set = _or(None)(RedisCache.set)
    set_many = _or(_all_failed)(RedisCache.set_many)
    touch = _or(False)(RedisCache.touch)
    delete = _or(False)(RedisCache.delete)
    delete_many = _or(None)(RedisCache.delete_many)
    # Counters (the subscription rate limits) count from nothing while Redis is away: limits lapse, pages work.
    incr = _or(lambda key, delta=1, version=None: delta)(RedisCache.incr)
