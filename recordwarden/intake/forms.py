"""Portal and clerk forms. Labels and errors are in plain language; the services do the
real checking again (a form is a convenience, not the guard)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone

from recordwarden.accounts.models import Agency
from recordwarden.core import crypto
from recordwarden.core.forms import UswdsFormMixin
from recordwarden.records.catalogue import ELEMENTS

from .constants import MAX_SUBJECTS, Instrument, Purpose

PORTAL_INSTRUMENTS = [
    (v, label) for v, label in Instrument.choices if v != Instrument.NONE
] + [(Instrument.NONE, "No legal process")]


def _sentence(exc) -> str:
    text = str(exc)
    return text[:1].upper() + text[1:]


class DateInput(forms.DateInput):
    input_type = "date"


class WhoForm(UswdsFormMixin, forms.Form):
    """Step 1: the legal process and why."""

    instrument = forms.ChoiceField(
        label="What legal process is behind this request?",
        choices=PORTAL_INSTRUMENTS,
        help_text="A judge's warrant or order, a subpoena, an agreement, a worker's "
        "written consent, or your own records.",
        error_messages={"required": "Choose the kind of legal process."},
    )
    case_number = forms.CharField(
        label="Case or docket number",
        required=False,
        max_length=64,
        help_text="As it appears on the legal process, if there is one.",
    )
    purpose = forms.ChoiceField(
        label="What are the records for?",
        choices=Purpose.choices,
        error_messages={"required": "Choose what the records are for."},
    )
    purpose_text = forms.CharField(
        label="Describe the purpose",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, the conduct under investigation. Do not ask for access "
        "to systems or for groups of people: each request is about named people.",
        error_messages={
            "max_length": "Describe the purpose in 5,000 characters or fewer."
        },
    )
    emergency = forms.BooleanField(
        label="This is an emergency: someone's life is in imminent danger",
        required=False,
        help_text="We will call your agency's number on file to confirm before "
        "releasing anything.",
    )
    instrument_subject_count = forms.IntegerField(
        label="How many people does the legal process name?",
        required=False,
        min_value=0,
        max_value=100000,
        error_messages={"invalid": "Enter a whole number."},
    )


class SubjectForm(UswdsFormMixin, forms.Form):
    """One person the request is about."""

    first_name = forms.CharField(
        label="First name",
        max_length=80,
        error_messages={"required": "Enter the person's first name."},
    )
    middle_name = forms.CharField(
        label="Middle name or initial", required=False, max_length=80
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=120,
        error_messages={"required": "Enter the person's last name."},
    )
    suffix = forms.CharField(label="Suffix (Jr., III)", required=False, max_length=10)
    dob = forms.DateField(
        label="Date of birth",
        required=False,
        widget=DateInput,
        error_messages={"invalid": "Enter the date of birth as a date."},
    )
    ssn = forms.CharField(
        label="Social Security number",
        required=False,
        max_length=11,
        help_text="Nine digits, with or without dashes. Leave blank if you give the "
        "last four only.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    ssn_last4 = forms.CharField(
        label="Last four digits of the SSN",
        required=False,
        max_length=4,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    street = forms.CharField(label="Street address", required=False, max_length=200)
    city = forms.CharField(label="City", required=False, max_length=80)
    state = forms.CharField(label="State", required=False, max_length=2)
    zip = forms.CharField(label="ZIP code", required=False, max_length=10)

    def clean_dob(self):
        dob = self.cleaned_data.get("dob")
        if dob and dob > timezone.localdate():
            raise forms.ValidationError("The date of birth is in the future.")
        if dob and dob.year < 1900:
            raise forms.ValidationError("The date of birth is before 1900.")
        return dob

    def clean_ssn(self):
        raw = self.cleaned_data.get("ssn", "").strip()
        if not raw:
            return ""
        try:
            return crypto.normalize_ssn(raw)
        except ValueError as exc:
            raise forms.ValidationError(f"{_sentence(exc)}.") from None

    def clean_ssn_last4(self):
        raw = self.cleaned_data.get("ssn_last4", "").strip()
        if raw and not (raw.isdigit() and len(raw) == 4):
            raise forms.ValidationError("The last four of an SSN are four digits.")
        return raw

    def clean_state(self):
        raw = self.cleaned_data.get("state", "").strip().upper()
        if raw and not (len(raw) == 2 and raw.isalpha()):
            raise forms.ValidationError("Use the two-letter state code, like NM.")
        return raw


# Each person is 11 form fields and the server takes at most 400 fields per form
# (DATA_UPLOAD_MAX_NUMBER_FIELDS), so the portal names up to 30 people at a time; the
# API takes up to MAX_SUBJECTS.
PORTAL_MAX_SUBJECTS = min(MAX_SUBJECTS, 30)


class BaseSubjectFormSet(forms.BaseFormSet):
    default_error_messages = {
        "missing_management_form": "The form was incomplete. Go back and try again.",
        "too_many_forms": "Name at most %(num)d people in one request. Requests are "
        "considered case by case; there is no bulk access.",
        "too_few_forms": "Name at least one person.",
    }

    def clean(self):
        if any(self.errors):
            return
        named = [
            f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        if not named:
            raise forms.ValidationError(
                "Name at least one person. Requests for groups of people or whole "
                "employers are not accepted."
            )


SubjectFormSet = forms.formset_factory(
    SubjectForm,
    formset=BaseSubjectFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=PORTAL_MAX_SUBJECTS,
    validate_max=True,
    absolute_max=PORTAL_MAX_SUBJECTS,
)


def element_choices():
    return [(e.key, e.label) for e in ELEMENTS.values()]


class RecordsForm(UswdsFormMixin, forms.Form):
    """Step 3: which records, for which period."""

    elements = forms.MultipleChoiceField(
        label="Which records do you need?",
        choices=element_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Ask only for what the legal process covers.",
        error_messages={
            "required": "Choose at least one kind of record.",
            "invalid_choice": "Choose from the list.",
        },
    )
    date_from = forms.DateField(
        label="From",
        required=False,
        widget=DateInput,
        error_messages={"invalid": "Enter the start of the period as a date."},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=DateInput,
        error_messages={"invalid": "Enter the end of the period as a date."},
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end of the period is before its start.")
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.tif,.tiff"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class DocumentsForm(UswdsFormMixin, forms.Form):
    """Step 4: legal process and other documents."""

    files = MultipleFileField(
        label="Legal process and other documents",
        required=False,
        help_text="PDF, PNG, JPEG or TIFF, up to "
        f"{settings.UPLOAD_MAX_BYTES // 1048576} MB each.",
    )


class PaperForm(UswdsFormMixin, forms.Form):
    """A clerk records a request that came on paper or by fax."""

    agency = forms.ModelChoiceField(
        label="Agency on file",
        queryset=Agency.objects.all(),
        required=False,
        empty_label="Not on file",
    )
    claimed_agency = forms.CharField(
        label="Who the sender says they are",
        required=False,
        max_length=200,
        help_text="Use when the sender is not on file.",
    )
    instrument = forms.ChoiceField(label="Legal process", choices=Instrument.choices)
    case_number = forms.CharField(
        label="Case or docket number", required=False, max_length=64
    )
    purpose = forms.ChoiceField(label="Purpose", choices=Purpose.choices)
    purpose_text = forms.CharField(
        label="What the letter asks for and why",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    elements = forms.MultipleChoiceField(
        label="Records asked for",
        choices=element_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one kind of record."},
    )
    date_from = forms.DateField(label="From", required=False, widget=DateInput)
    date_to = forms.DateField(label="To", required=False, widget=DateInput)
    emergency = forms.BooleanField(label="Claims an emergency", required=False)
    instrument_subject_count = forms.IntegerField(
        label="People the legal process names", required=False, min_value=0
    )
    scan = forms.FileField(
        label="Scan of the paper or fax",
        help_text="PDF or image; it is kept as the original of this submission.",
        error_messages={"required": "Attach the scan of the paper or fax."},
    )


class RequestEditForm(UswdsFormMixin, forms.Form):
    """A clerk confirms or corrects what was extracted from an email."""

    agency = forms.ModelChoiceField(
        label="Agency on file",
        queryset=Agency.objects.all(),
        required=False,
        empty_label="Not on file",
    )
    claimed_agency = forms.CharField(
        label="Claimed agency", required=False, max_length=200
    )
    instrument = forms.ChoiceField(label="Legal process", choices=Instrument.choices)
    case_number = forms.CharField(
        label="Case or docket number", required=False, max_length=64
    )
    purpose = forms.ChoiceField(label="Purpose", choices=Purpose.choices)
    purpose_text = forms.CharField(
        label="Text of the request",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    elements = forms.MultipleChoiceField(
        label="Records asked for",
        choices=element_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    date_from = forms.DateField(label="From", required=False, widget=DateInput)
    date_to = forms.DateField(label="To", required=False, widget=DateInput)
    emergency = forms.BooleanField(label="Claims an emergency", required=False)
    instrument_subject_count = forms.IntegerField(
        label="People the legal process names", required=False, min_value=0
    )


class TriageForm(UswdsFormMixin, forms.Form):
    note = forms.CharField(
        label="What was done with it",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what was done with it."},
    )
    reference = forms.CharField(
        label="Attach to request (reference)",
        required=False,
        max_length=20,
        help_text="For example RW-2026-000123. Leave blank to only note it.",
    )
