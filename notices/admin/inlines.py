"""The registers as inlines of the notice page, one per register."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from notices.admin.forms import LawfulBasisForm, OrderedFormSet, PurposeForm
from notices.admin.sites import ContentPermissions
from notices.models import DataCategory, LawfulBasis, Purpose, Recipient, RetentionRule, Right, Section, System
from notices.registers import BY_MODEL


class RegisterInline(ContentPermissions, admin.TabularInline):
    extra = 0
    formset = OrderedFormSet
    show_change_link = True  # the row's own page has its history and revert

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return [*fields, "origin"] if self.admin_site.follows_templates and obj and obj.follows_id else fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "origin"] if self.admin_site.follows_templates else readonly

    @admin.display(description="from the trust")
    def origin(self, row):
        if row.pk is None or not row.template_uid:
            return "School's own"
        register = BY_MODEL[type(row)]
        url = reverse(f"{self.admin_site.name}:notices_notice_trust_item", args=[row.notice_id, register.attr, row.pk])
        return format_html('<a href="{}">{}</a>', url, row.get_state_display())

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


INLINES = [
    DataCategoryInline,
    LawfulBasisInline,
    PurposeInline,
    SystemInline,
    RetentionRuleInline,
    RecipientInline,
    RightInline,
    SectionInline,
]
