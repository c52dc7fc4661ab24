"""The admin's forms: the notice and register rows with a reason for the history, and the forms of the
follow, release and link pages."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import DELETION_FIELD_NAME
from django.utils import timezone

from notices.history import edits_since
from notices.models import ItemState, LawfulBasis, Notice, Purpose


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
        self.fields["seen_at"].initial = page_stamp()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        refusal = stale_refusal(self.instance, cleaned.get("seen_at"))
        if refusal:
            raise ValidationError(refusal)
        return cleaned


def page_stamp():
    """When a page was made, as its `seen_at` field carries it back."""
    return timezone.now().isoformat()


def stale_refusal(notice, seen_at):
    """Why a save from a page made at `seen_at` (page_stamp) must be refused, naming what changed; None if it may go.

    The notice page and each part page of the workspace ask this before saving.
    """
    try:
        when = datetime.datetime.fromisoformat(seen_at or "")
    except ValueError:
        when = None
    edits = edits_since(notice, when) if when and when.tzinfo else None
    if edits is None:
        return "This page is too old to save from. Open the notice again."
    if not edits:
        return None
    listed = "; ".join(f"{e.part}: '{e.label}' {e.kind} by {e.by} at {e.at:%H:%M:%S}" for e in edits[:10])
    more = f" and {len(edits) - 10} more" if len(edits) > 10 else ""
    return (
        "Someone saved this notice after you opened it, so saving now would overwrite their work. "
        f"Changed meanwhile: {listed}{more}. What you typed is still below: copy it, "
        "open the notice again and redo your edits there."
    )


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
    """Register rows on the notice page.

    New rows left at order 0 go after the existing ones, in the order they were
    added, not to the top. A row from the trust is the trust's to change: an
    inherited or hidden one is read-only here (its own page replaces, hides or
    restores it), and no trust row is deleted from a school (hide it instead).
    Disabled fields ignore what a request posts, so this holds for a crafted POST too.
    """

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # A tabular row's cells have only the column heading, which is not a label:
        # name each field for screen readers with its column and row.
        where = f"row {index + 1}" if index is not None else "new row"
        for field in form.fields.values():
            # The admin's related-object wrapper keeps the attrs of the widget it was copied from: label the inner one.
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs["aria-label"] = f"{field.label or 'Delete'}, {where}"
        row = form.instance
        if row.pk is None or not getattr(row, "template_uid", None):
            return
        locked = row.state in (ItemState.INHERITED, ItemState.HIDDEN)
        # The row's own id stays enabled: a browser does not post a disabled field, and without its id the
        # formset would take the row for a new one (the formset only accepts ids of this notice's rows).
        own_id = row._meta.pk.name
        for name, field in form.fields.items():
            if (locked and name != own_id) or name == DELETION_FIELD_NAME:
                field.disabled = True

    def save_new_objects(self, commit=True):
        taken = [f.instance.order for f in self.forms if f.instance.pk is not None] + [0]
        following = max(taken) + 1
        for form in self.extra_forms:
            if form.has_changed() and not form.cleaned_data.get("DELETE") and not form.instance.order:
                form.instance.order = following
                following += 1
        return super().save_new_objects(commit)


def set_reason(obj, form_or_reason):
    reason = form_or_reason if isinstance(form_or_reason, str) else form_or_reason.cleaned_data.get("change_reason", "")
    if reason:
        obj._change_reason = reason


class HideForm(forms.Form):
    reason = forms.CharField(
        label="Why the school does not use this",
        max_length=200,
        help_text="Kept in the school's history with your name; parents do not see it.",
    )


class ReleaseForm(forms.Form):
    summary = forms.CharField(
        label="What changed in this release",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Every school following the template sees it in its history.",
    )
    force = forms.BooleanField(
        required=False,
        label="Release even though the template check fails",
        help_text="Unknown placeholders are never released.",
    )


def values_form(register):
    """A form of one register's own columns (not its links to other registers), for editing a conflict."""
    fields = [name for name in register.columns if name not in register.refs]
    return forms.modelform_factory(register.model, fields=fields)


def history_form(model):
    """The row page's form for a register without rules of its own."""
    return type(
        f"{model.__name__}Form", (ChangeReasonForm,), {"Meta": type("Meta", (), {"model": model, "fields": "__all__"})}
    )
