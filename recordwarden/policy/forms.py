from django import forms

from recordwarden.core.forms import UswdsFormMixin


class PolicyVersionForm(UswdsFormMixin, forms.Form):
    text = forms.CharField(
        label="Policy set (Cedar)",
        max_length=200_000,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 24, "spellcheck": "false", "class": "usa-textarea rw-code"}
        ),
        help_text="Every rule needs @id, @reason and @citation.",
    )
    schema = forms.CharField(
        label="Schema",
        max_length=50_000,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 12, "spellcheck": "false", "class": "usa-textarea rw-code"}
        ),
    )
    reason = forms.CharField(
        label="Why this version",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required to activate: recorded with your name on the audit log.",
    )
