"""Routing for the template admin: /trust/<slug>/templates/admin/ on the portal host runs in that trust's workspace.

The admin reverses its own URLs with no arguments, so the trust cannot be a
captured part of a shared URL pattern: each trust gets a URL configuration of
its own, with its slug written into the prefix, made once and kept (one per
trust that has templates). The middleware puts the trust's workspace schema on
the connection for the request, as HostTenantMiddleware does for a school.
"""

import re
from functools import cache

from django.conf import settings
from django.db import connection
from django.http import Http404
from django.urls import path

from tenants import outage
from tenants.models import Template, Trust, Workspace

PREFIX = re.compile(r"^/trust/(?P<slug>[-a-zA-Z0-9_]{1,80})/templates/admin/")


class _URLConf:
    """A URL configuration object; Django accepts any object with `urlpatterns` as request.urlconf."""

    def __init__(self, urlpatterns):
        self.urlpatterns = urlpatterns


@cache
def urlconf_for(trust_slug):
    from notices.admin import template_admin_site
    from notices.admin.sites import template_admin_path
    from trust_portal import urls_public

    # The portal's own URLs come after, so the admin's pages can link to the console and the login page.
    prefix = template_admin_path(trust_slug).removeprefix("/")
    return _URLConf([path(prefix, template_admin_site.urls), *urls_public.urlpatterns])


class WorkspaceMiddleware:
    """On the portal host, a template admin address selects that trust's workspace; anything else is left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = PREFIX.match(request.path_info)
        on_portal = getattr(request, "urlconf", None) == settings.PUBLIC_SCHEMA_URLCONF  # set by host routing
        if match and on_portal:
            try:
                trust = Trust.objects.filter(slug=match["slug"]).first()
                has_templates = trust is not None and Template.objects.filter(trust=trust).exists()
            except outage.DATABASE_DOWN as exc:
                return outage.database_down(exc)
            if not has_templates:
                raise Http404("This trust has no templates yet: make one from its console.")
            workspace = Workspace(trust)
            request.tenant = workspace
            connection.set_tenant(workspace)
            request.urlconf = urlconf_for(trust.slug)
        return self.get_response(request)
