"""The notice workspace of the school admin: an overview, then one page per part of the notice.

A notice opens on its overview (status, completeness with a link to where each
finding is fixed, readability, what changed since the version parents see, and
one entry per part). Each part (notices.admin.parts) is edited on its own page
with compact rows, plain help, the trust items' origin and acts, and buttons
that move a row up or down. A save from a stale page is refused with what
changed meanwhile. Saving a part is a form save, as on the admin's own pages
(history with the author and the page's reason); moving calls editing.move_row.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms import inlineformset_factory
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse

from notices import editing
from notices.admin.forms import (
    LawfulBasisForm,
    OrderedFormSet,
    PurposeForm,
    history_form,
    page_stamp,
    set_reason,
    stale_refusal,
)
from notices.admin.help import apply_help
from notices.admin.inlines import INLINES
from notices.admin.parts import ABOUT, BY_SLUG, FIX_AT, PARTS
from notices.checks import check_document
from notices.models import DataCategory, ItemState, LawfulBasis, Notice, Purpose, Section
from notices.publishing import pending_change
from notices.readability import assess_document
from notices.registers import BY_ATTR

FIELDS = {inline.model: inline.fields for inline in INLINES}
FORMS = {LawfulBasis: LawfulBasisForm, Purpose: PurposeForm}
CHECKBOXES = ("bases", "special_categories")


class PartFormSet(OrderedFormSet):
    """A part page's rows: each field has its own visible label, so no cell labels (OrderedFormSet's aria-label)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            getattr(field.widget, "widget", field.widget).attrs.pop("aria-label", None)
        row = form.instance
        if isinstance(row, Section) and row.pk is not None and row.kind in editing.STARTER_KINDS:
            # The completeness check finds these sections by kind: keep the kind they started with.
            form.fields["kind"].disabled = True


def part_formset(register, notice, data=None):
    """The formset of one register's rows of `notice`, with plain help, checkboxes and this notice's choices only."""
    model = register.model
    widgets = {name: forms.CheckboxSelectMultiple for name in CHECKBOXES}
    widgets |= {
        field.name: forms.Textarea(attrs={"rows": 3})
        for field in model._meta.get_fields()
        if getattr(field, "get_internal_type", None) and field.get_internal_type() == "TextField"
    }
    formset_class = inlineformset_factory(
        Notice,
        model,
        form=FORMS.get(model) or history_form(model),
        formset=PartFormSet,
        fields=FIELDS[model],
        widgets=widgets,
        extra=1,
        can_delete=True,
    )
    formset = formset_class(data, instance=notice, prefix=register.attr)
    for form in [*formset.forms, formset.empty_form]:
        apply_help(model, form.fields)
        if "bases" in form.fields:
            form.fields["bases"].queryset = LawfulBasis.objects.filter(notice=notice).exclude(state=ItemState.HIDDEN)
        if "special_categories" in form.fields:
            form.fields["special_categories"].queryset = DataCategory.objects.filter(notice=notice, special=True)
    return formset


class WorkspaceViews:
    """Mixed into the school's NoticeAdmin: the overview and the part pages."""

    def workspace_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/overview/", wrap(self.overview_view), name="notices_notice_overview"),
            path("<int:pk>/part/<slug:part>/", wrap(self.part_view), name="notices_notice_part"),
        ]

    def _url(self, name, *args):
        return reverse(f"{self.admin_site.name}:notices_notice_{name}", args=args)

    def part_url(self, notice, slug):
        return self._url("change", notice.pk) if slug == ABOUT else self._url("part", notice.pk, slug)

    def workspace_context(self, request, notice, current=None):
        """What every workspace page shows around its content: the parts to move between and the one-click acts."""
        return {
            "notice": notice,
            "parts": [(part, self.part_url(notice, part.slug)) for part in PARTS],
            "current_part": current,
            "overview_url": self._url("overview", notice.pk),
            "preview_url": self._url("preview", notice.pk),
            "publish_url": self._url("publish", notice.pk),
            "history_url": self._url("history", notice.pk),
        }

    def overview_view(self, request, pk):
        notice = self._notice(request, pk)
        change = pending_change(notice, school=request.tenant)
        document = change.document
        findings = check_document(document)
        fix_urls = {item: self.part_url(notice, slug) for item, slug in FIX_AT.items()}
        parts = []
        for part, url in self.workspace_context(request, notice)["parts"]:
            count = sum(len(getattr(document, attr)) for attr in part.registers)
            problems = [f for f in findings if not f.passed and FIX_AT.get(f.item) == part.slug]
            parts.append({"part": part, "url": url, "count": count, "problems": problems})
        return self._page(
            request,
            "admin/notices/notice/overview.html",
            f"{notice}: overview",
            **self.workspace_context(request, notice, "overview"),
            change=change,
            status=change.status,
            findings=findings,
            fix_urls=fix_urls,
            readability=assess_document(document),
            part_rows=parts,
            **self.overview_extras(request, notice, change),
        )

    def overview_extras(self, request, notice, change):
        """The change page's status details (follow status, subscribers, announcement), shared with the overview."""
        return {}

    def part_view(self, request, pk, part):
        notice = self._notice(request, pk)
        part = BY_SLUG.get(part)
        if part is None:
            raise Http404("The notice has no such part.")
        if part.slug == ABOUT:
            return redirect(self.part_url(notice, ABOUT))
        may_change = self.has_change_permission(request, notice)
        data = request.POST if request.method == "POST" else None
        formsets = [(register, part_formset(register, notice, data)) for register in part.register_list]
        for register, formset in formsets:
            for form in formset.forms:
                if form.instance.pk and form.instance.template_uid:
                    # Replace, hide and restore are acts on the trust item's own page (notices.admin.follow).
                    form.trust_item_url = self._url("trust_item", notice.pk, register.attr, form.instance.pk)
        refusal = None
        if request.method == "POST":
            if not may_change:
                raise PermissionDenied
            refusal = stale_refusal(notice, request.POST.get("seen_at"))
            if refusal is None and all(formset.is_valid() for _, formset in formsets):
                moved = self._save_part(request, notice, formsets)
                self.message_user(request, moved or f"Saved {part.title.lower()}.", messages.SUCCESS)
                return redirect(self.part_url(notice, part.slug))
        return self._page(
            request,
            "admin/notices/notice/part.html",
            f"{notice}: {part.title}",
            **self.workspace_context(request, notice, part.slug),
            part=part,
            formsets=formsets,
            refusal=refusal,
            may_change=may_change,
            seen_at=page_stamp(),
        )

    @transaction.atomic
    def _save_part(self, request, notice, formsets):
        reason = request.POST.get("change_reason", "").strip()[:100]
        for _, formset in formsets:
            for form in formset.forms:
                set_reason(form.instance, reason)
            formset.save()
        move = request.POST.get("move", "")
        attr, _, rest = move.partition(":")
        row, _, direction = rest.partition(":")
        if attr in BY_ATTR and row.isdigit() and direction in ("up", "down"):
            register = BY_ATTR[attr]
            try:
                editing.move_row(register, notice, int(row), up=direction == "up", user=request.user)
            except register.model.DoesNotExist:
                raise Http404("That row is not in this notice.") from None
            return f"Saved, and moved the item {direction}."
        return None
