"""The portal host's admin, for platform admins: trusts, schools, domains, users, memberships."""

from django import forms
from django.contrib import admin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group

from tenants.memberships import grant_role, remove_role
from tenants.models import AuditEvent, Domain, Membership, School, Trust, User
from tenants.provisioning import create_school, forget_hosts, forget_schools


@admin.register(Trust)
class TrustAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "ico_registration", "dpo_email"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # School pages show trust details, and cached host lookups carry the trust.
        forget_schools(obj.schools.all())

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
    prepopulated_fields = {"slug": ["name"]}
    inlines = [DomainInline]

    def get_readonly_fields(self, request, obj=None):
        # The slug names the schema and the host; it is fixed once the school exists.
        return ["slug"] if obj else []

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            forget_schools([obj])
            return
        school = create_school(**{name: form.cleaned_data[name] for name in SchoolForm.Meta.fields})
        obj.pk, obj.schema_name = school.pk, school.schema_name
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        before = set(Domain.objects.filter(tenant=form.instance).values_list("domain", flat=True))
        super().save_formset(request, form, formset, change)
        after = set(Domain.objects.filter(tenant=form.instance).values_list("domain", flat=True))
        forget_hosts(before | after)

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
