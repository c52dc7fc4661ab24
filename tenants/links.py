"""Absolute addresses where no request says the host: emails, feeds, webhooks, the worker.

A school's pages are on its primary domain, the console on PORTAL_DOMAIN; the
scheme and port are settings (PUBLIC_SCHEME, PUBLIC_PORT), so a link in an
email sent by the worker points where a visitor's browser would go.
"""

from django.conf import settings

from tenants.models import Domain

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _base(host):
    port = "" if settings.PUBLIC_PORT == _DEFAULT_PORTS[settings.PUBLIC_SCHEME] else f":{settings.PUBLIC_PORT}"
    return f"{settings.PUBLIC_SCHEME}://{host}{port}"


def school_host(school):
    """The school's primary host, looked up once per school object: an event's payload and each email name it
    several times (the objects live for one request or one worker pass)."""
    if "_primary_host" not in school.__dict__:
        domain = Domain.objects.filter(tenant_id=school.pk, is_primary=True).values_list("domain", flat=True).first()
        school._primary_host = domain or f"{school.slug}.{settings.PORTAL_DOMAIN}"
    return school._primary_host


def school_link(school, path="/"):
    """`path` on `school`'s own host."""
    return _base(school_host(school)) + path


def portal_link(path="/"):
    return _base(settings.PORTAL_DOMAIN) + path
