"""The notice page of both admin sites, and the school's own acts on it (preview, publish, revert).

Views stay thin: fetch the object, validate, call the domain function
(publish_notice / revert_notice), redirect.
"""

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from simple_history.admin import SimpleHistoryAdmin

from announcements.wording import announcement_of
from notices import editing
from notices.admin.follow import FollowViews
from notices.admin.forms import NoticeForm, set_reason
from notices.admin.importing import ImportViews
from notices.admin.inlines import INLINES
from notices.admin.parts import ABOUT
from notices.admin.review import ReviewViews
from notices.admin.sites import ContentPermissions, school_admin_site
from notices.admin.workspace import WorkspaceViews
from notices.checks import check_document
from notices.compose import compose_notice
from notices.forms import PublishForm
from notices.importing.service import import_notice
from notices.models import Notice, NoticeVersion
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
from notices.review import review_pending
from notices.views import chrome
from subscriptions.selectors import confirmed_count
from tenants import access


class NoticeAdminBase(ContentPermissions, SimpleHistoryAdmin):
    """The notice with its registers as inlines: the same page for a school notice and a trust template."""

    form = NoticeForm
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["title", "slug", "audience", "summary", "review_by"]}),
        ("Who to ask", {"fields": ["contact_name", "contact_role", "contact_email", "contact_phone"]}),
        ("History", {"fields": ["change_reason"]}),
    ]
    inlines = INLINES

    def get_inlines(self, request, obj):
        if obj is not None:
            return self.inlines
        # References between registers can only point at saved rows: bases and
        # purposes are added once the notice exists.
        referencing = {r.model for r in REGISTERS if r.refs}
        return [inline for inline in self.inlines if inline.model not in referencing]

    def get_prepopulated_fields(self, request, obj=None):
        return {} if "slug" in self.get_readonly_fields(request, obj) else self.prepopulated_fields

    def save_model(self, request, obj, form, change):
        set_reason(obj, form)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for row in formset.forms:
            set_reason(row.instance, form)
        super().save_formset(request, form, formset, change)

    def _notice(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(Notice, pk=pk)

    def _page(self, request, page, title, /, **context):
        return TemplateResponse(
            request, page, {**self.admin_site.each_context(request), "title": title, "opts": self.opts, **context}
        )


class OverviewChangeList(ChangeList):
    """The notices list links each notice to its overview, where the workspace starts."""

    def url_for_result(self, result):
        return reverse(f"{self.model_admin.admin_site.name}:notices_notice_overview", args=[result.pk])


@admin.register(Notice, site=school_admin_site)
class NoticeAdmin(WorkspaceViews, FollowViews, ImportViews, ReviewViews, NoticeAdminBase):
    list_display = ["title", "audience", "status", "review_by"]
    change_form_template = "admin/notices/notice/change_form.html"
    change_list_template = "admin/notices/notice/change_list.html"
    # The registers are edited on the workspace's part pages; this page is the "who we are" part.
    inlines = ()

    def get_changelist(self, request, **kwargs):
        return OverviewChangeList

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            editing.add_starter_sections(obj, user=request.user)

    def response_add(self, request, obj, post_url_continue=None):
        if "_addanother" in request.POST or "_continue" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(request, f"Added {obj}. Fill in each part, then preview and publish.", messages.SUCCESS)
        return redirect(self._url("overview", obj.pk))

    def response_change(self, request, obj):
        if "_addanother" in request.POST or "_continue" in request.POST or "_saveasnew" in request.POST:
            return super().response_change(request, obj)
        self.message_user(request, f"Saved who we are and who to ask for {obj}.", messages.SUCCESS)
        return redirect(self._url("overview", obj.pk))

    def import_act(self, request, data, filename, **options):
        return import_notice(request.tenant, data, filename, user=request.user, **options)

    @admin.display(description="status")
    def status(self, obj):
        return notice_status(obj, school=current_school())

    def get_readonly_fields(self, request, obj=None):
        # Parents' links name the slug: it is fixed once a version exists (a trigger also refuses it).
        return ["slug"] if obj is not None and obj.versions.exists() else []

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", wrap(self.preview_view), name="notices_notice_preview"),
            path("<int:pk>/publish/", wrap(self.publish_view), name="notices_notice_publish"),
            path(
                "<int:pk>/announcement/<int:number>/",
                wrap(self.announcement_view),
                name="notices_notice_announcement",
            ),
            path("<int:pk>/revert/<int:number>/", wrap(self.revert_view), name="notices_notice_revert"),
            *self.follow_urls(),
            *self.import_urls(),
            *self.review_urls(),
            *self.workspace_urls(),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        notice = self.get_object(request, object_id)
        if notice is not None:
            extra_context.update(self.workspace_context(request, notice, ABOUT))
        return super().change_view(request, object_id, form_url, extra_context)

    def overview_extras(self, request, notice, change):
        return {
            "latest": change.latest,
            "live": change.live,
            "announced": next((v for v in (change.latest, change.live) if v is not None and v.material), None),
            "subscriber_count": confirmed_count(notice),
            "publish_refusal": access.publish_refusal_reason(request.user, request.tenant),
            "review": review_pending(notice, change.latest),
            **self.follow_context(request, notice, change.latest),
        }

    def preview_view(self, request, pk):
        notice = self._notice(request, pk)
        document = compose_notice(notice, school=request.tenant)
        return TemplateResponse(
            request,
            "notices/preview.html",
            {
                # The page's header and footer name what parents will see: the draft's own document.
                "chrome": chrome(document.to_dict()),
                "school": request.tenant,
                "notice": notice,
                "article": render_notice_html(document),
                "findings": check_document(document),
            },
        )

    def publish_view(self, request, pk):
        notice = self._notice(request, pk)
        refusal = access.publish_refusal_reason(request.user, request.tenant)
        school = fresh_school(request.tenant)
        change = pending_change(notice, school=school)
        form = PublishForm(
            request.POST if request.method == "POST" else None, change=change, notice_days=school.trust.min_notice_days
        )
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
        return self._page(
            request,
            "admin/notices/notice/publish.html",
            f"Publish {notice}",
            notice=notice,
            form=form,
            refusal=refusal,
            findings=check_document(change.document),
            change=change,
            review=review_pending(notice, change.latest),
        )

    def announcement_view(self, request, pk, number):
        """The ready-to-paste announcement of a material version (announcements.wording), for the school's staff."""
        notice = self._notice(request, pk)
        version = get_object_or_404(NoticeVersion, notice=notice, number=number)
        text = announcement_of(request.tenant, version)
        if text is None:
            raise Http404("Wording fixes need no announcement.")
        return self._page(
            request,
            "admin/notices/notice/announcement.html",
            f"Announcement of version {number}",
            notice=notice,
            version=version,
            text=text,
        )

    def revert_view(self, request, pk, number):
        notice = self._notice(request, pk)
        version = get_object_or_404(NoticeVersion, notice=notice, number=number)
        if request.method == "POST":
            revert_notice(notice, version, user=request.user)
            self.message_user(
                request, f"Loaded version {number} into the draft. Publish it to make it live.", messages.SUCCESS
            )
            return redirect(reverse("school_admin:notices_notice_change", args=[notice.pk]))
        return self._page(
            request, "admin/notices/notice/revert.html", f"Revert to version {number}", notice=notice, version=version
        )
