"""Host routing: the portal host is the public schema, <slug>.<PORTAL_DOMAIN> is a school.

The host-to-school map is cached so that a page served from cache needs no
database round trip. Entries are keyed by the hosts token
(tenants.generations), which tenants.provisioning replaces whenever a school,
its trust or its domains change: that retires every entry at once, and an
entry made by a request racing the change is made under the old token, where
nothing reads it. A short TTL bounds an edit made outside those services.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404

from tenants import generations, outage
from tenants.models import Domain

HOST_CACHE_SECONDS = 300
MAX_HOSTNAME = 253  # the longest name DNS allows
_UNKNOWN = "unknown"


def host_cache_key(hostname, hosts_token):
    return f"tenant-host:{hosts_token}:{hostname}"


def school_for_host(hostname):
    """The School served at `hostname`, or None. Must be called on the public schema."""
    if len(hostname) > MAX_HOSTNAME:
        return None  # no school can have it, and it would make an over-long cache key
    # The token is read before the rows it guards (see the module docstring).
    key = host_cache_key(hostname, generations.token(generations.HOSTS))
    school = cache.get(key)
    if school is None:
        domain = Domain.objects.select_related("tenant__trust").filter(domain=hostname).first()
        school = domain.tenant if domain else _UNKNOWN
        cache.set(key, school, HOST_CACHE_SECONDS)
    return None if school == _UNKNOWN else school


class HostTenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Every request starts on the public schema so nothing from the
        # previous request's school can leak into this one.
        connection.set_schema_to_public()
        # On the portal host request.tenant is django-tenants' placeholder for the
        # public schema (its admin templates expect one); on a school host, the School.
        request.tenant = connection.tenant
        # get_host() raises DisallowedHost (a 400) for hosts outside ALLOWED_HOSTS.
        hostname = request.get_host().rsplit(":", 1)[0].lower().rstrip(".")
        if hostname != settings.PORTAL_DOMAIN:
            try:
                school = school_for_host(hostname)
            except outage.DATABASE_DOWN as exc:
                return outage.database_down(exc)
            if school is None:
                request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
                raise Http404("There is no school at this address.")
            school.domain_url = hostname
            request.tenant = school
            connection.set_tenant(school)
        else:
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
        return self.get_response(request)
