"""The page-cache tests run against each shared cache the portal can be configured with (Redis excepted)."""

import pytest

from notices import cache as page_cache
from tenants import generations


@pytest.fixture(params=["locmem", "file"])
def shared_cache(request, settings, tmp_path):
    """The shared cache under test: process-local memory, or the file cache in a temporary folder."""
    backend = {
        "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "file": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)},
    }[request.param]
    settings.CACHES = {"default": {**backend, "KEY_FUNCTION": "django_tenants.cache.make_key"}}
    # Tokens and pages this process holds came from the cache just replaced.
    generations.forget_local()
    page_cache.memo.clear()
    yield request.param
    generations.forget_local()
    page_cache.memo.clear()
