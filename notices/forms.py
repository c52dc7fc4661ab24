"""Forms shared by the school admin and the trust console."""

import datetime

from django import forms
from django.utils import timezone

from notices.moments import spoken


class WhenFields(forms.Form):
    """When a new version takes effect, and the urgent reason for a notice period cut short.

    publishing.check_effective decides whether the date is allowed; these
    fields only read it. No JavaScript: the urgent reason is always shown.
    """

    effective_at = forms.DateTimeField(
        label="Takes effect from",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    urgent = forms.BooleanField(
        required=False,
        label="Urgent: it must take effect before the notice period is over",
    )
    urgent_reason = forms.CharField(
        label="Why it is urgent",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example a legal duty that starts sooner. Recorded on the version and in the audit log.",
    )

    def set_notice_period(self, days):
        """Say the trust's period in the help text, and offer its first day as the date."""
        earliest = timezone.localtime() + datetime.timedelta(days=days)
        first_day = (earliest + datetime.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        self.fields["effective_at"].help_text = (
            f"Leave empty for now. Families get {days} days' notice of a material change: "
            f"{spoken(first_day)} is the first whole day you can choose without marking it urgent. "
            "A wording fix can take effect now."
        )
        self.fields["effective_at"].initial = first_day if days else None

    def clean(self):
        data = super().clean()
        if data.get("urgent") and not (data.get("urgent_reason") or "").strip():
            self.add_error("urgent_reason", "Say why it must take effect sooner: the reason is recorded.")
        return data

    def when_kwargs(self):
        data = self.cleaned_data
        return {
            "effective_at": data["effective_at"],
            "urgent_reason": data["urgent_reason"] if data["urgent"] else "",
        }


class PublishForm(WhenFields):
    """Publishing, with the base the publisher reviewed, which publish_notice checks has not moved."""

    summary = forms.CharField(
        label="What changed in this version",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown to parents with the new version. Say it plainly.",
    )
    material = forms.BooleanField(
        required=False,
        initial=True,
        label="This is a material change",
        help_text="Untick for a wording or typo fix that changes nothing about how data is used.",
    )
    base_number = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    base_hash = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)

    field_order = ["summary", "material", "effective_at", "urgent", "urgent_reason"]

    def __init__(self, data=None, *, change, notice_days):
        # The base is what this page shows; a POST carries back the base its page showed.
        super().__init__(data, initial={"base_number": change.latest_number, "base_hash": change.document_hash})
        # A first version takes effect when it is published: nothing to choose.
        if change.latest is None:
            for name in ("effective_at", "urgent", "urgent_reason"):
                del self.fields[name]
        else:
            self.set_notice_period(notice_days)

    def publish_kwargs(self):
        kwargs = {name: self.cleaned_data[name] for name in ("summary", "material", "base_number", "base_hash")}
        return {**kwargs, **(self.when_kwargs() if "effective_at" in self.fields else {})}
