"""The platform admin's page for taking a published version down (portal host, /admin/versions/<school>/).

Platform admins have no role in a school's own admin, so withdrawal and
redaction live on the portal host. The view stays thin: it finds the school
and version, validates the form and calls notices.withdrawal.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django_tenants.utils import tenant_context

from notices.models import NoticeVersion
from notices.publishing import PublishRefused
from notices.selectors import withdrawal_of
from notices.withdrawal import redact_version, withdraw_version
from tenants.models import School


class TakeDownForm(forms.Form):
    """Validates the per-version forms the page renders itself (one per row)."""

    version = forms.IntegerField()
    act = forms.ChoiceField(choices=[("withdraw", "Withdraw"), ("redact", "Redact")])
    reason = forms.CharField()


def school_versions(request, school_id):
    if not request.user.is_platform_admin:
        raise PermissionDenied
    school = get_object_or_404(School.objects.select_related("trust"), pk=school_id)
    form = TakeDownForm(request.POST if request.method == "POST" else None)
    with tenant_context(school):
        if request.method == "POST" and form.is_valid():
            version = get_object_or_404(NoticeVersion, pk=form.cleaned_data["version"])
            act = redact_version if form.cleaned_data["act"] == "redact" else withdraw_version
            try:
                act(version, by=request.user, reason=form.cleaned_data["reason"])
            except PublishRefused as exc:
                form.add_error(None, " ".join(exc.problems))
            else:
                messages.success(
                    request, f"Version {version.number} of {version.notice.slug} is down. Purge it from any CDN."
                )
                return redirect("platform_school_versions", school_id=school.pk)
        versions = list(
            NoticeVersion.objects.select_related("notice")
            .prefetch_related("withdrawals")
            .defer("html", "document")
            .order_by("notice__slug", "-number")
        )
        for version in versions:
            version.withdrawal = withdrawal_of(version)
        context = {
            **admin.site.each_context(request),
            "title": f"Published versions of {school.name}",
            "school": school,
            "versions": versions,
            "form": form,
        }
        return TemplateResponse(request, "admin/platform/school_versions.html", context).render()
