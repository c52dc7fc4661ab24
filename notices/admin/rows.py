"""Each register row's own page (its field-level history and revert), and the read-only list of versions."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from notices.admin.forms import LawfulBasisForm, PurposeForm, history_form, set_reason
from notices.admin.sites import ContentPermissions, school_admin_site, template_admin_site
from notices.models import (
    DataCategory,
    ItemState,
    LawfulBasis,
    NoticeVersion,
    Purpose,
    Recipient,
    RetentionRule,
    Right,
    Section,
    System,
)

# How a row follows the trust: set only by the acts of notices.following, never typed in.
FOLLOW_FIELDS = ["template_uid", "state", "based_on", "hidden_reason"]


class RegisterAdmin(ContentPermissions, SimpleHistoryAdmin):
    exclude = FOLLOW_FIELDS

    def has_module_permission(self, request):
        return False  # reached from the notice page, not the index

    def has_change_permission(self, request, obj=None):
        # An inherited or hidden row says what the trust says: its trust-item page replaces or restores it.
        locked = obj is not None and obj.template_uid and obj.state in (ItemState.INHERITED, ItemState.HIDDEN)
        return not locked and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # A trust item is hidden, with a reason, rather than deleted (it would come back with the next release).
        return not (obj is not None and obj.template_uid) and super().has_delete_permission(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        for name, model in (("bases", LawfulBasis), ("special_categories", DataCategory)):
            if name in form.base_fields:
                form.base_fields[name].queryset = (
                    model.objects.filter(notice_id=obj.notice_id) if obj else model.objects.none()
                )
        return form

    def save_model(self, request, obj, form, change):
        set_reason(obj, form)
        super().save_model(request, obj, form, change)


for _site in (school_admin_site, template_admin_site):
    for _model, _form in (
        (DataCategory, history_form(DataCategory)),
        (LawfulBasis, LawfulBasisForm),
        (Purpose, PurposeForm),
        (System, history_form(System)),
        (RetentionRule, history_form(RetentionRule)),
        (Recipient, history_form(Recipient)),
        (Right, history_form(Right)),
        (Section, history_form(Section)),
    ):
        _site.register(_model, RegisterAdmin, form=_form)


@admin.register(NoticeVersion, site=school_admin_site)
class NoticeVersionAdmin(ContentPermissions, admin.ModelAdmin):
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
