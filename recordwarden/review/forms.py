"""Forms of the review pages. They parse; the services decide."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from recordwarden.accounts.constants import Role
from recordwarden.accounts.models import Agency
from recordwarden.core.forms import UswdsFormMixin

from .constants import ElementAction, ReasonCode, SignatureRole
from .selectors import QUEUE_FILTERS


class QueueFilterForm(UswdsFormMixin, forms.Form):
    status = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[(key, label) for key, (label, _) in QUEUE_FILTERS.items()],
    )
    mine = forms.BooleanField(label="Only requests assigned to me", required=False)


class DecisionForm(forms.Form):
    """One action per element asked for, plus reasons. Field names: action_<element>,
    narrowing_<element>, reason_<element>."""

    kind = forms.ChoiceField(
        choices=[
            ("release", "Send for signature"),
            ("deny", "Deny"),
            ("quash", "Answer with a motion to quash"),
            ("judicial_order", "Ask for a judicial order"),
        ]
    )
    reason_codes = forms.MultipleChoiceField(
        label="Reasons for denial",
        required=False,
        choices=ReasonCode.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    reasons = forms.CharField(
        label="Reasons in your own words",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "usa-textarea"}),
    )

    def __init__(self, *args, elements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.element_keys = list(elements)
        for key in self.element_keys:
            self.fields[f"action_{key}"] = forms.ChoiceField(
                choices=ElementAction.choices, required=False
            )
            self.fields[f"narrowing_{key}"] = forms.CharField(
                required=False, max_length=500
            )
            self.fields[f"reason_{key}"] = forms.CharField(
                required=False, max_length=2000
            )

    def element_specs(self) -> dict:
        data = self.cleaned_data
        return {
            key: {
                "action": data.get(f"action_{key}") or ElementAction.DENY,
                "narrowing": data.get(f"narrowing_{key}", ""),
                "reason": data.get(f"reason_{key}", ""),
            }
            for key in self.element_keys
        }


class SignForm(forms.Form):
    role = forms.ChoiceField(
        choices=[
            (SignatureRole.APPROVER, "Approver"),
            (SignatureRole.COUNSEL, "Counsel"),
        ]
    )


class ReasonForm(UswdsFormMixin, forms.Form):
    reason = forms.CharField(
        label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


def _deciders():
    User = get_user_model()
    return (
        User.objects.filter(
            is_active=True, groups__name__in=[Role.REVIEWER, Role.COUNSEL]
        )
        .distinct()
        .order_by("username")
    )


class AssignForm(UswdsFormMixin, forms.Form):
    assignee = forms.ModelChoiceField(label="Assign to", queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _deciders()


class CallbackForm(UswdsFormMixin, forms.Form):
    """The number is never typed: the agency is chosen from the registry and its number
    on file is the one dialled."""

    agency = forms.ModelChoiceField(
        label="Agency called (its number on file is shown beside its name)",
        queryset=Agency.objects.exclude(phone_on_file="").order_by("name"),
    )
    answered_by = forms.CharField(label="Who answered (name and title)", max_length=200)
    confirmed = forms.TypedChoiceField(
        label="Did they confirm that their agency sent this request?",
        choices=[("yes", "Yes, confirmed"), ("no", "No, not confirmed")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].label_from_instance = lambda a: (
            f"{a.name}: {a.phone_on_file}"
        )


class TaskForm(UswdsFormMixin, forms.Form):
    confirmed = forms.TypedChoiceField(
        label="Outcome",
        choices=[
            ("yes", "Verified / no concerns"),
            ("no", "Not verified / concerns found"),
        ],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label="What was checked and found",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
