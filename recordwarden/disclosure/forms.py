"""Forms of the disclosure pages: a suspension of the accounting, a court order that
delays notice. Dates are plain ISO inputs; text is bounded and single-line where it is
a reference."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from recordwarden.core.forms import UswdsFormMixin

# A delay or suspension longer than this is a typing mistake (or needs a new order).
MAX_YEARS_AHEAD = 5


def _clean_reference(value: str) -> str:
    value = value.strip()
    if any(ord(ch) < 32 for ch in value):
        raise forms.ValidationError("Use a single line without control characters.")
    return value


def _clean_future_date(value: dt.date) -> dt.date:
    today = timezone.localdate()
    if value <= today:
        raise forms.ValidationError("The end date must be after today.")
    if value > today.replace(year=today.year + MAX_YEARS_AHEAD):
        raise forms.ValidationError(
            f"The end date must be within {MAX_YEARS_AHEAD} years."
        )
    return value


class DateInput(forms.DateInput):
    input_type = "date"


class SuspensionForm(UswdsFormMixin, forms.Form):
    statement_reference = forms.CharField(
        label="Reference of the agency's statement",
        max_length=200,
        help_text="For example the letter's date and number, or who called and when.",
    )
    written = forms.TypedChoiceField(
        label="How the agency asked",
        choices=[("yes", "In writing"), ("no", "Orally (at most 30 days)")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    ends_on = forms.DateField(
        label="Suspended until (inclusive)",
        widget=DateInput,
        help_text="The date the agency's statement gives. Format YYYY-MM-DD.",
    )
    reason = forms.CharField(
        label="Why telling the worker would impede the agency's activity",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_statement_reference(self):
        return _clean_reference(self.cleaned_data["statement_reference"])

    def clean_ends_on(self):
        return _clean_future_date(self.cleaned_data["ends_on"])


class NoticeDelayForm(UswdsFormMixin, forms.Form):
    order_reference = forms.CharField(
        label="Order reference (case or docket number)", max_length=200
    )
    court = forms.CharField(label="Court and judge", max_length=200)
    ends_on = forms.DateField(
        label="Notice delayed until (inclusive)",
        widget=DateInput,
        help_text="The date the order gives. Format YYYY-MM-DD.",
    )

    def clean_order_reference(self):
        return _clean_reference(self.cleaned_data["order_reference"])

    def clean_court(self):
        return _clean_reference(self.cleaned_data["court"])

    def clean_ends_on(self):
        return _clean_future_date(self.cleaned_data["ends_on"])
