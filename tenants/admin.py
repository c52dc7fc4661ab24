"""The portal host's admin, for platform admins: trusts, schools, domains, users, memberships."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from tenants import services
from tenants.cloning import CloneError
from tenants.memberships import grant_role, remove_role
from tenants.models import AuditEvent, Domain, Membership, School, Trust, User


@admin.register(Trust)
class TrustAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "ico_registration", "dpo_email"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            services.update_trust(obj, by=request.user, **fields)
        else:
            obj.pk = services.add_trust(by=request.user, **form.cleaned_data).pk
            obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        return False


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class SchoolForm(forms.ModelForm):
    class Meta:
        model = School
        fields = ["trust", "name", "slug", "urn", "address", "headteacher", "contact_email"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    form = SchoolForm
    list_display = ["name", "trust", "urn", "schema_name"]
    list_filter = ["trust"]
    inlines = [DomainInline]

    def get_readonly_fields(self, request, obj=None):
        # The slug names the schema and the host; it is fixed once the school exists.
        return ["slug", "published_versions"] if obj else []

    @admin.display(description="published versions")
    def published_versions(self, school):
        url = reverse("platform_school_versions", args=[school.pk])
        return format_html('<a href="{}">See, withdraw or redact its published versions</a>', url)

    def get_prepopulated_fields(self, request, obj=None):
        # Only while the slug is still a field: a read-only slug has no input to fill.
        return {} if obj else {"slug": ["name"]}

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except CloneError as exc:
            # The template schema is the operator's to fix; nothing was created.
            messages.error(request, f"The school was not created. {exc}")
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data}
            services.update_school(obj, by=request.user, **fields)
            return
        school = services.add_school(
            by=request.user, **{name: form.cleaned_data[name] for name in SchoolForm.Meta.fields}
        )
        obj.pk, obj.schema_name = school.pk, school.schema_name
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        # Hosts change only through tenants.services, which audits and re-routes them.
        formset.save(commit=False)
        for host in formset.deleted_objects:
            services.remove_domain(host, by=request.user)
        for host, changed in formset.changed_objects:
            services.update_domain(host, by=request.user, **{name: getattr(host, name) for name in changed})
        for host in formset.new_objects:
            services.add_domain(form.instance, host.domain, is_primary=host.is_primary, by=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "is_active", "is_platform_admin", "last_login"]
    list_filter = ["is_active", "is_platform_admin"]
    search_fields = ["email", "name"]
    inlines = [MembershipInline]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = UserCreateForm
        else:
            kwargs["form"] = UserEditForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["email", "name", "is_platform_admin", "password1", "password2"]
        return ["email", "name", "is_active", "is_platform_admin", "password", "last_login", "date_joined"]

    def get_readonly_fields(self, request, obj=None):
        return ["last_login", "date_joined"] if obj else []

    def has_delete_permission(self, request, obj=None):
        # Histories and published versions name their authors: deactivate instead.
        return False

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        # Roles change only through tenants.memberships, which writes the audit log.
        memberships = formset.save(commit=False)
        for membership in formset.deleted_objects:
            remove_role(membership, by=request.user)
        for membership in memberships:
            if membership.pk is None:
                grant_role(
                    form.instance, membership.role, school=membership.school, trust=membership.trust, by=request.user
                )
            else:
                remove_role(Membership.objects.get(pk=membership.pk), by=request.user)
                grant_role(
                    form.instance, membership.role, school=membership.school, trust=membership.trust, by=request.user
                )


class UserCreateForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "name", "is_platform_admin"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = ["email", "name", "is_active", "is_platform_admin", "password"]


# Permissions come from memberships, never from auth groups.
admin.site.unregister(Group)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ["at", "action", "actor_email", "school", "trust", "details"]
    list_filter = ["action", "school", "trust"]
    search_fields = ["actor_email"]
    date_hierarchy = "at"
    list_select_related = ["school", "trust"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
