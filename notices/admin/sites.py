"""The two admin sites that edit notices, and who may enter each.

The school admin (/admin/ on a school's host) edits that school's notices; the
template admin (/trust/<slug>/templates/admin/ on the portal host, with the
trust's workspace schema active) edits the trust's template drafts. Both serve
the same model admins: who may read and change comes from the site, and the
site asks tenants.access, never per-schema auth rows.
"""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from tenants import access
from tenants.models import School, Workspace


class LoginForm(AdminAuthenticationForm):
    def confirm_login_allowed(self, user):
        tenant = self.request.tenant
        if isinstance(tenant, Workspace):
            allowed = access.can_read_workspace(user, tenant)
        else:
            allowed = access.can_edit_school(user, tenant)
        if not user.is_active or not allowed:
            raise ValidationError(
                "This account has no role at %(place)s. Sign in with an account of this school or its trust.",
                code="no_role",
                params={"place": self.request.tenant.name},
            )


class SchoolAdminSite(admin.AdminSite):
    site_header = "Privacy notice admin"
    index_title = "Your school's privacy notices"
    login_form = LoginForm
    # Schools follow templates: their rows can come from the trust (notices.following).
    follows_templates = True

    def may_read(self, request):
        return access.can_edit_school(request.user, request.tenant)

    def may_change(self, request):
        return self.may_read(request)

    def has_permission(self, request):
        return self.may_read(request)

    def each_context(self, request):
        context = super().each_context(request)
        if isinstance(request.tenant, School):
            context["site_header"] = f"{request.tenant.name}: privacy notices"
            context["site_title"] = request.tenant.name
        return context


class TemplateAdminSite(SchoolAdminSite):
    """A trust's templates: its publishers edit and release them; its schools' editors may only read them."""

    index_title = "The trust's template notices"
    follows_templates = False

    def may_read(self, request):
        return access.can_read_workspace(request.user, request.tenant)

    def may_change(self, request):
        return access.can_edit_workspace(request.user, request.tenant)

    def each_context(self, request):
        context = super().each_context(request)
        if isinstance(request.tenant, Workspace):
            context["site_header"] = f"{request.tenant.trust.name}: template notices"
            context["site_title"] = request.tenant.name
        return context


def template_admin_path(trust_slug, rest=""):
    """Where a trust's template admin is on the portal host (trust_portal.workspaces routes it)."""
    return f"/trust/{trust_slug}/templates/admin/{rest}"


school_admin_site = SchoolAdminSite(name="school_admin")
template_admin_site = TemplateAdminSite(name="template_admin")


class ContentPermissions:
    """A model admin's permissions are its site's answer for this request."""

    def has_module_permission(self, request):
        return self.admin_site.may_read(request)

    def has_view_permission(self, request, obj=None):
        return self.admin_site.may_read(request)

    def has_add_permission(self, request, obj=None):
        return self.admin_site.may_change(request)

    def has_change_permission(self, request, obj=None):
        return self.admin_site.may_change(request)

    def has_delete_permission(self, request, obj=None):
        return self.admin_site.may_change(request)
