"""The requester portal: a step-by-step request form and the status of your agency's
requests. Thin: forms parse, services decide, templates show."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from recordwarden.accounts.permissions import requester_of, requester_required
from recordwarden.records.catalogue import ELEMENTS

from . import drafts
from .constants import OUTWARD_STATUS, Channel, Instrument, Purpose
from .documents import DocumentInput, DocumentRejected, check_document, safe_filename
from .forms import (
    PORTAL_MAX_SUBJECTS,
    DocumentsForm,
    RecordsForm,
    SubjectFormSet,
    WhoForm,
)
from .selectors import get_request_for, request_list_for
from .services import request_submit
from .storage import blob_store

STEPS = [
    ("who", "Legal process"),
    ("subjects", "People"),
    ("records", "Records"),
    ("documents", "Documents"),
    ("review", "Review and submit"),
]


def _posted(request):
    """The POST data, even when empty (an empty form must still be checked)."""
    return request.POST if request.method == "POST" else None


def _files(request):
    return request.FILES if request.method == "POST" else None


def _page(request, template: str, step: str, context: dict, status: int = 200):
    index = [key for key, _ in STEPS].index(step)
    context |= {
        "steps": [
            {"key": key, "label": label, "state": _state(i, index)}
            for i, (key, label) in enumerate(STEPS)
        ],
        "step_number": index + 1,
        "step_total": len(STEPS),
        "step_label": STEPS[index][1],
    }
    return render(request, template, context, status=status)


def _state(i: int, current: int) -> str:
    return "complete" if i < current else "current" if i == current else ""


def _status(form_or_formset) -> int:
    return 400 if form_or_formset.is_bound and form_or_formset.errors else 200


@requester_required
def request_list(request):
    rows = request_list_for(request.user).prefetch_related("subjects")[:200]
    return render(
        request,
        "intake/portal/request_list.html",
        {"rows": [(r, OUTWARD_STATUS[r.status]) for r in rows]},
    )


@requester_required
def request_detail(request, reference: str):
    target = get_request_for(request.user, reference)
    return render(
        request,
        "intake/portal/request_detail.html",
        {
            "req": target,
            "outward": OUTWARD_STATUS[target.status],
            "elements": [ELEMENTS[e] for e in target.elements if e in ELEMENTS],
            "subjects": target.subjects.all(),
            "documents": target.documents.all(),
        },
    )


@requester_required
def new_request(request):
    drafts.draft_clear(request.session)
    return redirect("intake:new_who")


@requester_required
@require_http_methods(["GET", "POST"])
def new_who(request):
    draft = drafts.draft_get(request.session)
    requester = requester_of(request.user)
    initial = draft["who"] or (
        {"instrument": Instrument.OWN_REQUEST, "purpose": Purpose.OWN_RECORDS}
        if requester.agency_id is None
        else {}
    )
    form = WhoForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        draft["who"] = form.cleaned_data
        drafts.draft_save(request.session, draft)
        return redirect("intake:new_subjects")
    return _page(
        request, "intake/portal/who.html", "who", {"form": form}, _status(form)
    )


@requester_required
@require_http_methods(["GET", "POST"])
def new_subjects(request):
    draft = drafts.draft_get(request.session)
    if not draft["who"]:
        return redirect("intake:new_who")
    if request.method == "POST":
        formset = SubjectFormSet(request.POST, prefix="subjects")
        if "add_subject" in request.POST:
            return _subjects_page(request, _with_one_more(request.POST, formset))
        if formset.is_valid():
            rows = [f.cleaned_data for f in formset.forms if f.cleaned_data]
            draft["subjects"] = drafts.subjects_to_session(rows)
            drafts.draft_save(request.session, draft)
            return redirect("intake:new_records")
        return _subjects_page(request, formset, status=400)
    initial = drafts.subjects_for_form(draft["subjects"])
    return _subjects_page(request, SubjectFormSet(prefix="subjects", initial=initial))


def _with_one_more(post, formset):
    """Show again what was typed, unchecked (the person is still typing), plus one more
    blank person."""
    rows = [
        {name: form[name].value() for name in form.fields} for form in formset.forms
    ]
    if len(rows) < PORTAL_MAX_SUBJECTS:
        rows.append({})
    return SubjectFormSet(prefix="subjects", initial=rows)


def _subjects_page(request, formset, status: int = 200):
    return _page(
        request,
        "intake/portal/subjects.html",
        "subjects",
        {"formset": formset, "max_subjects": PORTAL_MAX_SUBJECTS},
        status,
    )


@requester_required
@require_http_methods(["GET", "POST"])
def new_records(request):
    draft = drafts.draft_get(request.session)
    if (missing := drafts.is_complete(draft)) and missing != "records":
        return redirect(f"intake:new_{missing}")
    initial = dict(draft["records"])
    form = RecordsForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft["records"] = {
            "elements": data["elements"],
            "date_from": drafts.iso_date(data["date_from"]),
            "date_to": drafts.iso_date(data["date_to"]),
        }
        drafts.draft_save(request.session, draft)
        return redirect("intake:new_documents")
    return _page(
        request, "intake/portal/records.html", "records", {"form": form}, _status(form)
    )


@requester_required
@require_http_methods(["GET", "POST"])
def new_documents(request):
    draft = drafts.draft_get(request.session)
    if missing := drafts.is_complete(draft):
        return redirect(f"intake:new_{missing}")
    form = DocumentsForm(_posted(request), _files(request))
    if request.method == "POST" and "remove" in request.POST:
        keep = request.POST.get("remove", "")
        draft["documents"] = [d for d in draft["documents"] if d["sha256"] != keep]
        drafts.draft_save(request.session, draft)
        return redirect("intake:new_documents")
    if request.method == "POST" and form.is_valid():
        for upload in form.cleaned_data["files"]:
            _stage_upload(form, draft, upload)
        drafts.draft_save(request.session, draft)
        if not form.errors:
            if "upload_more" in request.POST:
                return redirect("intake:new_documents")
            return redirect("intake:new_review")
    context = {"form": form, "documents": draft["documents"]}
    return _page(
        request, "intake/portal/documents.html", "documents", context, _status(form)
    )


def _stage_upload(form, draft: dict, upload) -> None:
    from django.conf import settings

    name = safe_filename(upload.name)
    if upload.size > settings.UPLOAD_MAX_BYTES:
        limit = settings.UPLOAD_MAX_BYTES // 1048576
        form.add_error("files", f"{name} is larger than {limit} MB.")
        return
    doc = DocumentInput(filename=name, content=upload.read())
    try:
        content_type = check_document(doc)
    except DocumentRejected as exc:
        form.add_error("files", str(exc))
        return
    storage_name, digest = blob_store(doc.content, kind="documents")
    if all(d["sha256"] != digest for d in draft["documents"]):
        draft["documents"].append(
            {
                "filename": name,
                "storage_name": storage_name,
                "sha256": digest,
                "content_type": content_type,
                "size": len(doc.content),
            }
        )


@requester_required
@require_http_methods(["GET", "POST"])
def new_review(request):
    draft = drafts.draft_get(request.session)
    if missing := drafts.is_complete(draft):
        return redirect(f"intake:new_{missing}")
    errors: dict = {}
    if request.method == "POST":
        requester = requester_of(request.user)
        try:
            made = request_submit(
                actor=request.user,
                requester=requester,
                channel=Channel.PORTAL,
                data=drafts.to_request_input(draft),
                raw=drafts.raw_of(draft),
                idempotency_key=f"portal:{draft['token']}",
                documents=drafts.documents_of(draft),
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            drafts.draft_clear(request.session)
            request.session["intake_joined"] = bool(made.intake_joined)
            return redirect("intake:confirmation", reference=made.reference)
    context = {
        "draft": draft,
        "who": draft["who"],
        "instrument_label": Instrument(draft["who"]["instrument"]).label,
        "purpose_label": Purpose(draft["who"]["purpose"]).label,
        "elements": [ELEMENTS[e] for e in draft["records"].get("elements", [])],
        "errors": sorted((k, " ".join(v)) for k, v in errors.items()),
    }
    return _page(
        request,
        "intake/portal/review.html",
        "review",
        context,
        400 if errors else 200,
    )


@requester_required
def confirmation(request, reference: str):
    target = get_request_for(request.user, reference)
    joined = request.session.pop("intake_joined", False)
    return render(
        request,
        "intake/portal/confirmation.html",
        {
            "req": target,
            "joined": joined,
            "outward": OUTWARD_STATUS[target.status],
            "detail_url": reverse("intake:request_detail", args=[target.reference]),
        },
    )
