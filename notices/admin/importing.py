"""'Start from your current notice': upload a file, check the import report, then create the draft.

The first POST reads the file and shows what a dry run of the import made (the
report, the completeness check); the file waits in the shared cache (whose keys
carry the schema) under a random token bound to the user, for an hour. The
second POST imports it for real. Both call the one import function of the site.
"""

import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse

from notices.checks import check_document
from notices.importing.blocks import ImportRefused
from notices.models import Audience
from notices.registers import REGISTERS

WAITING_SECONDS = 3600


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Your current notice",
        help_text="Word (.docx), OpenDocument (.odt), a PDF with text in it, a web page saved as .html, or plain "
        "text (.txt, .md). Up to 10 MB.",
    )
    slug = forms.SlugField(label="Address of the new notice", initial="pupils-and-parents", max_length=80)
    title = forms.CharField(label="Title (leave blank to use the file's own)", required=False, max_length=200)
    audience = forms.ChoiceField(choices=Audience.choices, initial=Audience.PUPILS_PARENTS)
    replace = forms.BooleanField(
        required=False, label="Replace the draft of an existing notice with this address (one change in its history)"
    )


def _key(request, token):
    return f"import-upload:{request.user.pk}:{token}"


class ImportViews:
    """Mixed into a notice admin that defines import_act(request, data, filename, **options)."""

    def changelist_view(self, request, extra_context=None):
        extra_context = {"can_import": self.has_change_permission(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def import_urls(self):
        return [path("import/", self.admin_site.admin_view(self.import_view), name="notices_notice_import")]

    def import_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        token = request.POST.get("token", "")
        if request.method == "POST" and token:
            return self._import_confirmed(request, token)
        form = ImportForm(request.POST or None, request.FILES or None)
        context = {"form": form}
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            # One byte over the limit is enough for the reader to refuse it, whatever the upload's size.
            data = upload.read(settings.IMPORT_MAX_BYTES + 1)
            options = {name: form.cleaned_data[name] for name in ("slug", "title", "audience", "replace")}
            try:
                result = self.import_act(request, data, upload.name, dry_run=True, **options)
            except ImportRefused as exc:
                form.add_error("file", str(exc))
            else:
                token = secrets.token_urlsafe(24)
                cache.set(_key(request, token), (upload.name, data, options), WAITING_SECONDS)
                context.update(result=result, token=token, **_report(result))
        return self._page(request, "admin/notices/notice/import.html", "Start from your current notice", **context)

    def _import_confirmed(self, request, token):
        waiting = cache.get(_key(request, token))
        if waiting is None:
            self.message_user(request, "That upload has expired: choose the file again.", messages.ERROR)
            return redirect(reverse(f"{self.admin_site.name}:notices_notice_import"))
        filename, data, options = waiting
        try:
            result = self.import_act(request, data, filename, **options)
        except ImportRefused as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return redirect(reverse(f"{self.admin_site.name}:notices_notice_import"))
        cache.delete(_key(request, token))
        self.message_user(
            request,
            f"Imported {filename} into a draft. Nothing is published: check each part against your file.",
            messages.SUCCESS,
        )
        return redirect(reverse(f"{self.admin_site.name}:notices_notice_change", args=[result.notice.pk]))


def _report(result):
    """The report grouped for the page: each register's proposed rows next to the source text they came from."""
    report, by_register = result.report, {}
    for proposal in report.proposals:
        by_register.setdefault(proposal.register, []).append(proposal)
    return {
        "registers": [
            (register.heading, by_register.get(register.attr, []))
            for register in REGISTERS
            if register.attr != "sections"
        ],
        "findings": check_document(result.document),
    }
