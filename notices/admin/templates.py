"""The template admin: a trust's template drafts, edited with the notice page, then released to its schools.

Served on the portal host under /trust/<slug>/templates/admin/ with the trust's
workspace schema active (trust_portal.workspaces). Publishers of the trust edit
and release; editors of its schools read. Templates are made by
releasing.create_template or template_from_school (the console), never here.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from notices import releasing
from notices.admin.forms import ReleaseForm
from notices.admin.importing import ImportViews
from notices.admin.notices import NoticeAdminBase
from notices.admin.sites import template_admin_site
from notices.checks import check_document
from notices.compose import compose_template
from notices.importing.service import import_template
from notices.models import Notice
from notices.rendering import render_notice_html
from tenants.models import Template


@admin.register(Notice, site=template_admin_site)
class TemplateNoticeAdmin(ImportViews, NoticeAdminBase):
    list_display = ["title", "audience", "review_by"]
    change_form_template = "admin/notices/notice/template_change_form.html"
    change_list_template = "admin/notices/notice/change_list.html"

    def import_act(self, request, data, filename, **options):
        return import_template(request.tenant.trust, data, filename, user=request.user, **options)

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # schools follow it; releases keep what it said

    def get_readonly_fields(self, request, obj=None):
        return ["slug"]  # the template's own slug, which schools' documents name

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", wrap(self.preview_view), name="notices_notice_preview"),
            path("<int:pk>/release/", wrap(self.release_view), name="notices_notice_release"),
            path("<int:pk>/revert/<int:number>/", wrap(self.revert_view), name="notices_notice_revert"),
            *self.import_urls(),
        ] + super().get_urls()

    def _template(self, request, notice):
        """The trust's template whose draft `notice` is; 404 for a notice of no template of this trust."""
        try:
            return Template.objects.select_related("trust").get(trust_id=request.tenant.trust_id, notice_id=notice.pk)
        except Template.DoesNotExist:
            raise Http404("No such template.") from None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        notice = self.get_object(request, object_id)
        if notice is not None:
            template = self._template(request, notice)
            status = releasing.draft_status(template, notice)
            extra_context.update(
                template=template,
                status=status,
                findings=status.findings,
                releases=template.releases.select_related("released_by").order_by("-number"),
                may_release=self.has_change_permission(request, notice),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def preview_view(self, request, pk):
        notice = self._notice(request, pk)
        template = self._template(request, notice)
        document = compose_template(notice, trust=template.trust, preview=True)
        return TemplateResponse(
            request,
            "notices/template_preview.html",
            {
                "template": template,
                "notice": notice,
                "article": render_notice_html(document),
                "findings": check_document(document),
            },
        )

    def _editable(self, request, pk):
        notice = self._notice(request, pk)
        if request.method == "POST" and not self.has_change_permission(request, notice):
            raise PermissionDenied("Only the trust's publishers change its templates.")
        return notice, self._template(request, notice)

    def release_view(self, request, pk):
        notice, template = self._editable(request, pk)
        form = ReleaseForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                release = releasing.release_template(
                    template, user=request.user, summary=form.cleaned_data["summary"], force=form.cleaned_data["force"]
                )
            except releasing.ReleaseRefused as exc:
                for problem in exc.problems:
                    form.add_error(None, problem)
            else:
                self.message_user(
                    request,
                    f"Released as release {release.number}. Every school following it has the change in its draft; "
                    "publish them from the console.",
                    messages.SUCCESS,
                )
                return redirect(reverse("template_admin:notices_notice_change", args=[notice.pk]))
        status = releasing.draft_status(template, notice)
        return self._page(
            request,
            "admin/notices/notice/release.html",
            f"Release {template.title}",
            notice=notice,
            template=template,
            status=status,
            findings=status.findings,
            form=form,
            may_release=self.has_change_permission(request, notice),
        )

    def revert_view(self, request, pk, number):
        notice, template = self._editable(request, pk)
        release = get_object_or_404(template.releases, number=number)
        if request.method == "POST":
            releasing.revert_template(template, release, user=request.user)
            self.message_user(
                request, f"Loaded release {number} into the draft. Release it again to pass it on.", messages.SUCCESS
            )
            return redirect(reverse("template_admin:notices_notice_change", args=[notice.pk]))
        return self._page(
            request,
            "admin/notices/notice/template_revert.html",
            f"Load release {number} into the draft",
            notice=notice,
            template=template,
            release=release,
            may_release=self.has_change_permission(request, notice),
        )
