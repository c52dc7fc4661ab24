"""The page-cache tests run against each shared cache the portal can be configured with, Redis a real server."""

import pytest

from notices import cache as page_cache
from tenants import generations
from trust_portal.settings import _cache as cache_for_url


@pytest.fixture(params=["locmem", "file", "redis"])
def shared_cache(request, settings, tmp_path):
    """The shared cache under test: process-local memory, the file cache in a temporary folder, or Redis."""
    if request.param == "redis":
        # The backend the settings choose for CACHE_URL=redis://..., on the session's real server.
        backend = cache_for_url(request.getfixturevalue("redis_server").url)
    else:
        backend = {
            "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "file": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)},
        }[request.param]
    settings.CACHES = {"default": {**backend, "KEY_FUNCTION": "django_tenants.cache.make_key"}}
    if request.param == "redis":
        from django.core.cache import cache

        cache.clear()  # the server lives for the session: each test starts from an empty database
    # Tokens and pages this process holds came from the cache just replaced.
    generations.forget_local()
    page_cache.memo.clear()
    yield request.param
    generations.forget_local()
    page_cache.memo.clear()
