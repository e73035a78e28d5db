"""Intake clerk pages: the triage list, one submission, a paper or fax request, and
confirming what was extracted from an email."""

from __future__ import annotations

import io

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from recordwarden.accounts.constants import Role
from recordwarden.accounts.permissions import role_required
from recordwarden.core.exceptions import Conflict

from .constants import Channel
from .documents import DocumentInput, check_document
from .forms import (
    PORTAL_MAX_SUBJECTS,
    PaperForm,
    RequestEditForm,
    SubjectForm,
    TriageForm,
)
from .inputs import RequestInput, SubjectInput
from .mail import parse_email
from .models import Document, Request
from .permissions import STAFF_READERS
from .selectors import (
    get_request_for,
    get_submission_for,
    triage_list_for,
    unconfirmed_requests_for,
)
from .services import request_submit, request_update, submission_triage_resolve
from .signals import trust_signals
from .storage import blob_read

PaperSubjectFormSet = forms.formset_factory(
    SubjectForm,
    extra=1,
    max_num=PORTAL_MAX_SUBJECTS,
    validate_max=True,
    absolute_max=PORTAL_MAX_SUBJECTS,
)
# Shown to a clerk as text; a larger message is summarised, not displayed.
PREVIEW_BYTES = 2 * 1024 * 1024
PREVIEW_CHARS = 20_000


def _posted(request):
    """The POST data, even when empty (an empty form must still be checked)."""
    return request.POST if request.method == "POST" else None


def _files(request):
    return request.FILES if request.method == "POST" else None


@role_required(Role.INTAKE_CLERK)
def triage(request):
    return render(
        request,
        "intake/clerk/triage.html",
        {
            "submissions": triage_list_for(request.user)[:200],
            "unconfirmed": unconfirmed_requests_for(request.user)[:200],
        },
    )


def _preview(submission) -> tuple[str, list]:
    if submission.channel != Channel.EMAIL or submission.size > PREVIEW_BYTES:
        return "", []
    parsed = parse_email(submission.raw_bytes())
    return parsed.text[:PREVIEW_CHARS], parsed.attachments


@role_required(Role.INTAKE_CLERK)
@require_http_methods(["GET", "POST"])
def submission_detail(request, pk: int):
    submission = get_submission_for(request.user, pk)
    form = TriageForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        target = None
        if reference := form.cleaned_data["reference"].strip():
            try:
                target = get_request_for(request.user, reference)
            except Http404:
                form.add_error("reference", "There is no request with this reference.")
        if not form.errors:
            try:
                submission_triage_resolve(
                    actor=request.user,
                    submission=submission,
                    note=form.cleaned_data["note"],
                    request=target,
                )
            except Conflict as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Noted. The submission left the triage list.")
                return redirect("intake:triage")
    text, attachments = _preview(submission)
    return render(
        request,
        "intake/clerk/submission_detail.html",
        {
            "submission": submission,
            "form": form,
            "text": text,
            "attachments": attachments,
            "extracted": submission.extracted or {},
        },
        status=400 if form.errors else 200,
    )


def _subjects(formset) -> list[SubjectInput]:
    return [
        SubjectInput.from_dict(f.cleaned_data)
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


def _request_input(data: dict, subjects: list[SubjectInput]) -> RequestInput:
    return RequestInput(
        instrument=data["instrument"],
        case_number=data["case_number"],
        purpose=data["purpose"],
        purpose_text=data["purpose_text"],
        elements=list(data["elements"]),
        date_from=data["date_from"],
        date_to=data["date_to"],
        emergency=data["emergency"],
        instrument_subject_count=data["instrument_subject_count"],
        subjects=subjects,
        agency=data.get("agency"),
        claimed_agency=data.get("claimed_agency", ""),
    )


def _apply_service_errors(form, formset, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        if name in form.fields:
            form.add_error(name, errors)
        else:
            form.add_error(None, [f"{name}: {e}" for e in errors])


@role_required(Role.INTAKE_CLERK)
@require_http_methods(["GET", "POST"])
def paper(request):
    form = PaperForm(_posted(request), _files(request))
    formset = PaperSubjectFormSet(_posted(request), prefix="subjects")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        scan = form.cleaned_data["scan"]
        content = scan.read()
        document = DocumentInput(filename=scan.name or "scan", content=content)
        try:
            check_document(document)
            made = request_submit(
                actor=request.user,
                requester=None,
                channel=Channel.PAPER,
                data=_request_input(form.cleaned_data, _subjects(formset)),
                raw=content,
                documents=[document],
            )
        except ValidationError as exc:
            _apply_service_errors(form, formset, exc)
        except ValueError as exc:
            form.add_error("scan", str(exc))
        else:
            messages.success(request, f"Recorded as {made.reference}.")
            return redirect("intake:request_edit", reference=made.reference)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "intake/clerk/paper.html",
        {"form": form, "formset": formset},
        status=status,
    )


def _edit_initial(target: Request) -> tuple[dict, list[dict]]:
    initial = {
        name: getattr(target, name)
        for name in RequestEditForm.base_fields
        if name != "agency"
    }
    initial["agency"] = target.agency_id
    subjects = [
        {
            "first_name": s.first_name,
            "middle_name": s.middle_name,
            "last_name": s.last_name,
            "suffix": s.suffix,
            "dob": s.dob,
            "ssn_last4": "" if s.has_ssn else s.ssn_last4(),
            "street": s.street,
            "city": s.city,
            "state": s.state,
            "zip": s.zip,
        }
        for s in target.subjects.all()
    ]
    return initial, subjects


@role_required(Role.INTAKE_CLERK)
@require_http_methods(["GET", "POST"])
def request_edit(request, reference: str):
    target = get_request_for(request.user, reference)
    initial, subjects = _edit_initial(target)
    form = RequestEditForm(_posted(request), initial=initial)
    formset = PaperSubjectFormSet(_posted(request), prefix="subjects", initial=subjects)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            request_update(
                actor=request.user,
                request=target,
                data=_request_input(form.cleaned_data, _subjects(formset)),
                confirm="confirm" in request.POST,
            )
        except ValidationError as exc:
            _apply_service_errors(form, formset, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{target.reference} saved and screened again.")
            return redirect("intake:request_edit", reference=target.reference)
    return render(
        request,
        "intake/clerk/request_edit.html",
        {
            "req": target,
            "form": form,
            "formset": formset,
            "signals": trust_signals(target),
            "submissions": target.submissions.defer("raw").order_by("received_at"),
            "documents": target.documents.all(),
        },
        status=400 if request.method == "POST" else 200,
    )


@role_required(*STAFF_READERS)
def document_download(request, pk: int):
    """Staff download a document as an attachment; it is never shown inline."""
    document = Document.objects.filter(pk=pk).first()
    if document is None:
        raise Http404("No such document.")
    response = FileResponse(
        io.BytesIO(blob_read(document.storage_name)),
        as_attachment=True,
        filename=document.filename,
        content_type="application/octet-stream",
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response
