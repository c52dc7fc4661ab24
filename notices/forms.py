"""Forms shared by the school admin and the trust console."""

from django import forms


class PublishForm(forms.Form):
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

    def __init__(self, data=None, *, change):
        # The base is what this page shows; a POST carries back the base its page showed.
        super().__init__(data, initial={"base_number": change.latest_number, "base_hash": change.document_hash})

    def publish_kwargs(self):
        return {name: self.cleaned_data[name] for name in ("summary", "material", "base_number", "base_hash")}
