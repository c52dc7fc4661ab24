"""The school admin (/admin/ on a school's host), where DPLs edit their notice.

Who may enter comes from tenants.access (memberships), never from per-schema
auth rows. Views here stay thin: fetch the object, validate, call the domain
function (publish_notice / revert_notice), redirect.
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from notices.checks import check_document
from notices.compose import compose_notice
from notices.forms import PublishForm
from notices.history import edits_since
from notices.models import (
    DataCategory,
    LawfulBasis,
    Notice,
    NoticeVersion,
    Purpose,
    Recipient,
    RetentionRule,
    Right,
    Section,
    System,
)
from notices.publishing import (
    PublishRefused,
    current_school,
    fresh_school,
    notice_status,
    pending_change,
    publish_notice,
    revert_notice,
)
from notices.registers import REGISTERS
from notices.rendering import render_notice_html
from tenants import access
from tenants.models import School


class SchoolLoginForm(AdminAuthenticationForm):
    def confirm_login_allowed(self, user):
        if not user.is_active or not access.can_edit_school(user, self.request.tenant):
            raise ValidationError(
                "This account has no role at %(school)s. Sign in with an account of this school or its trust.",
                code="no_role",
                params={"school": self.request.tenant.name},
            )


class SchoolAdminSite(admin.AdminSite):
    site_header = "Privacy notice admin"
    index_title = "Your school's privacy notices"
    login_form = SchoolLoginForm

    def has_permission(self, request):
        return access.can_edit_school(request.user, request.tenant)

    def each_context(self, request):
        context = super().each_context(request)
        if isinstance(request.tenant, School):
            context["site_header"] = f"{request.tenant.name}: privacy notices"
            context["site_title"] = request.tenant.name
        return context


school_admin_site = SchoolAdminSite(name="school_admin")


class SchoolContentPermissions:
    """Editors and publishers of this school may view and edit its content."""

    def _allowed(self, request):
        return access.can_edit_school(request.user, request.tenant)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


class ChangeReasonForm(forms.ModelForm):
    change_reason = forms.CharField(
        required=False,
        max_length=100,
        label="Reason for this change",
        help_text="Optional; kept in the history with your name.",
    )


class NoticeForm(ChangeReasonForm):
    """The notice page. `seen_at` is when the page was made: a save is refused if anyone saved since."""

    # ISO 8601 with microseconds: a DateTimeField would render whole seconds and
    # mistake the page's own previous save for a colleague's.
    seen_at = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Notice
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen_at"].initial = timezone.now().isoformat()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        try:
            seen_at = datetime.datetime.fromisoformat(cleaned.get("seen_at") or "")
        except ValueError:
            seen_at = None
        edits = edits_since(self.instance, seen_at) if seen_at and seen_at.tzinfo else None
        if edits is None:
            raise ValidationError("This page is too old to save from. Open the notice again.")
        if edits:
            listed = "; ".join(f"{e.part}: '{e.label}' {e.kind} by {e.by} at {e.at:%H:%M:%S}" for e in edits[:10])
            more = f" and {len(edits) - 10} more" if len(edits) > 10 else ""
            raise ValidationError(
                "Someone saved this notice after you opened it, so saving now would overwrite their work. "
                f"Changed meanwhile: {listed}{more}. What you typed is still below: copy it, "
                "open the notice again and redo your edits there."
            )
        return cleaned


class LawfulBasisForm(ChangeReasonForm):
    class Meta:
        model = LawfulBasis
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        condition, categories = cleaned.get("article9"), cleaned.get("special_categories")
        if categories is None:
            return cleaned
        not_special = [c.name for c in categories if not c.special]
        if not_special:
            self.add_error(
                "special_categories",
                "An Article 9 condition only covers special category data; these are not: "
                + ", ".join(not_special)
                + ".",
            )
        if condition and not categories:
            self.add_error("special_categories", "Choose the special category data this Article 9 condition covers.")
        if categories and not condition:
            self.add_error(
                "article9", "Special category data needs an Article 9 condition as well as an Article 6 basis."
            )
        return cleaned


class PurposeForm(ChangeReasonForm):
    class Meta:
        model = Purpose
        fields = "__all__"
        error_messages = {"bases": {"required": "Choose at least one lawful basis for this purpose."}}


class OrderedFormSet(forms.BaseInlineFormSet):
    """New rows left at order 0 go after the existing ones, in the order they were added, not to the top."""

    def save_new_objects(self, commit=True):
        taken = [f.instance.order for f in self.forms if f.instance.pk is not None] + [0]
        following = max(taken) + 1
        for form in self.extra_forms:
            if form.has_changed() and not form.cleaned_data.get("DELETE") and not form.instance.order:
                form.instance.order = following
                following += 1
        return super().save_new_objects(commit)


class RegisterInline(SchoolContentPermissions, admin.TabularInline):
    extra = 0
    formset = OrderedFormSet
    show_change_link = True  # the row's own page has its history and revert

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Choices for links between registers come from this notice only.
        for name, model in (("bases", LawfulBasis), ("special_categories", DataCategory)):
            if name in formset.form.base_fields:
                formset.form.base_fields[name].queryset = (
                    model.objects.filter(notice=obj) if obj else model.objects.none()
                )
        return formset


class DataCategoryInline(RegisterInline):
    model = DataCategory
    fields = ["order", "name", "examples", "special", "source"]


class LawfulBasisInline(RegisterInline):
    # Stacked: pickers and long text would run off the right of a table row.
    template = "admin/edit_inline/stacked.html"
    model = LawfulBasis
    form = LawfulBasisForm
    fields = [
        "order",
        "title",
        "article6",
        "article9",
        "special_categories",
        "legislation",
        "explanation",
        "legitimate_interest",
    ]


class PurposeInline(RegisterInline):
    model = Purpose
    form = PurposeForm
    fields = ["order", "name", "detail", "bases"]


class SystemInline(RegisterInline):
    model = System
    fields = ["order", "name", "used_for", "supplier", "outside_uk", "safeguard"]


class RetentionRuleInline(RegisterInline):
    model = RetentionRule
    fields = ["order", "record_type", "period"]


class RecipientInline(RegisterInline):
    model = Recipient
    fields = ["order", "name", "reason", "sharing", "legal_basis", "outside_uk", "safeguard"]


class RightInline(RegisterInline):
    model = Right
    fields = ["order", "right", "how_to_exercise"]


class SectionInline(RegisterInline):
    template = "admin/edit_inline/stacked.html"
    model = Section
    fields = ["order", "heading", "kind", "placement", "body"]


def _set_reason(obj, form_or_reason):
    reason = form_or_reason if isinstance(form_or_reason, str) else form_or_reason.cleaned_data.get("change_reason", "")
    if reason:
        obj._change_reason = reason


@admin.register(Notice, site=school_admin_site)
class NoticeAdmin(SchoolContentPermissions, SimpleHistoryAdmin):
    form = NoticeForm
    list_display = ["title", "audience", "status", "review_by"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["title", "slug", "audience", "summary", "review_by"]}),
        ("Who to ask", {"fields": ["contact_name", "contact_role", "contact_email", "contact_phone"]}),
        ("History", {"fields": ["change_reason"]}),
    ]
    inlines = [
        DataCategoryInline,
        LawfulBasisInline,
        PurposeInline,
        SystemInline,
        RetentionRuleInline,
        RecipientInline,
        RightInline,
        SectionInline,
    ]
    change_form_template = "admin/notices/notice/change_form.html"

    @admin.display(description="status")
    def status(self, obj):
        return notice_status(obj, school=current_school())

    def get_inlines(self, request, obj):
        if obj is not None:
            return self.inlines
        # References between registers can only point at saved rows: bases and
        # purposes are added once the notice exists.
        referencing = {r.model for r in REGISTERS if r.refs}
        return [inline for inline in self.inlines if inline.model not in referencing]

    def get_readonly_fields(self, request, obj=None):
        # Parents' links name the slug: it is fixed once a version exists (a trigger also refuses it).
        return ["slug"] if obj is not None and obj.versions.exists() else []

    def get_prepopulated_fields(self, request, obj=None):
        return {} if "slug" in self.get_readonly_fields(request, obj) else self.prepopulated_fields

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", wrap(self.preview_view), name="notices_notice_preview"),
            path("<int:pk>/publish/", wrap(self.publish_view), name="notices_notice_publish"),
            path("<int:pk>/revert/<int:number>/", wrap(self.revert_view), name="notices_notice_revert"),
        ] + super().get_urls()

    def save_model(self, request, obj, form, change):
        _set_reason(obj, form)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for row in formset.forms:
            _set_reason(row.instance, form)
        super().save_formset(request, form, formset, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        notice = self.get_object(request, object_id)
        if notice is not None:
            change = pending_change(notice, school=request.tenant)
            extra_context.update(
                findings=check_document(change.document),
                status=change.status,
                latest=change.current,
                publish_refusal=access.publish_refusal_reason(request.user, request.tenant),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def _notice(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(Notice, pk=pk)

    def preview_view(self, request, pk):
        notice = self._notice(request, pk)
        document = compose_notice(notice, school=request.tenant)
        return TemplateResponse(
            request,
            "notices/preview.html",
            {
                "school": request.tenant,
                "notice": notice,
                "article": render_notice_html(document),
                "findings": check_document(document),
            },
        )

    def publish_view(self, request, pk):
        notice = self._notice(request, pk)
        refusal = access.publish_refusal_reason(request.user, request.tenant)
        change = pending_change(notice, school=fresh_school(request.tenant))
        form = PublishForm(request.POST if request.method == "POST" else None, change=change)
        if request.method == "POST":
            if refusal:
                raise PermissionDenied(refusal)
            if form.is_valid():
                try:
                    version = publish_notice(notice, user=request.user, **form.publish_kwargs())
                except PublishRefused as exc:
                    for problem in exc.problems:
                        form.add_error(None, problem)
                else:
                    self.message_user(request, f"Published version {version.number}.", messages.SUCCESS)
                    return redirect(reverse("school_admin:notices_notice_change", args=[notice.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Publish {notice}",
            "opts": self.opts,
            "notice": notice,
            "form": form,
            "refusal": refusal,
            "findings": check_document(change.document),
            "change": change,
        }
        return TemplateResponse(request, "admin/notices/notice/publish.html", context)

    def revert_view(self, request, pk, number):
        notice = self._notice(request, pk)
        version = get_object_or_404(NoticeVersion, notice=notice, number=number)
        if request.method == "POST":
            revert_notice(notice, version, user=request.user)
            self.message_user(
                request, f"Loaded version {number} into the draft. Publish it to make it live.", messages.SUCCESS
            )
            return redirect(reverse("school_admin:notices_notice_change", args=[notice.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Revert to version {number}",
            "opts": self.opts,
            "notice": notice,
            "version": version,
        }
        return TemplateResponse(request, "admin/notices/notice/revert.html", context)


class RegisterAdmin(SchoolContentPermissions, SimpleHistoryAdmin):
    """Each register row's own page: its field-level history and revert."""

    def has_module_permission(self, request):
        return False  # reached from the notice page, not the index

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        for name, model in (("bases", LawfulBasis), ("special_categories", DataCategory)):
            if name in form.base_fields:
                form.base_fields[name].queryset = (
                    model.objects.filter(notice_id=obj.notice_id) if obj else model.objects.none()
                )
        return form

    def save_model(self, request, obj, form, change):
        _set_reason(obj, form)
        super().save_model(request, obj, form, change)


def _history_form(model):
    return type(
        f"{model.__name__}Form", (ChangeReasonForm,), {"Meta": type("Meta", (), {"model": model, "fields": "__all__"})}
    )


for _model, _form in (
    (DataCategory, _history_form(DataCategory)),
    (LawfulBasis, LawfulBasisForm),
    (Purpose, PurposeForm),
    (System, _history_form(System)),
    (RetentionRule, _history_form(RetentionRule)),
    (Recipient, _history_form(Recipient)),
    (Right, _history_form(Right)),
    (Section, _history_form(Section)),
):
    school_admin_site.register(_model, RegisterAdmin, form=_form)


@admin.register(NoticeVersion, site=school_admin_site)
class NoticeVersionAdmin(SchoolContentPermissions, admin.ModelAdmin):
    """Published versions, read-only: they are never changed or deleted."""

    list_display = ["notice", "number", "published_at", "published_by", "material", "forced", "summary", "revert"]
    list_filter = ["notice", "material"]
    readonly_fields = [
        "notice",
        "number",
        "published_at",
        "published_by",
        "summary",
        "material",
        "forced",
        "pdf_link",
        "pdf_sha256",
    ]
    exclude = ["document", "html", "pdf"]

    @admin.display(description="PDF")
    def pdf_link(self, version):
        # The public address: media files are not served as such.
        url = reverse("version_pdf", args=[version.notice.slug, version.number])
        return format_html('<a href="{}">{}</a>', url, version.pdf_filename)

    @admin.display(description="revert")
    def revert(self, version):
        url = reverse("school_admin:notices_notice_revert", args=[version.notice_id, version.number])
        return format_html('<a href="{}">Load version {} into the draft…</a>', url, version.number)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
