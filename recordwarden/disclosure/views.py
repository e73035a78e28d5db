"""Disclosure pages. Thin: parse, call the service or selector, render.

Requesters: their agency's packages and the one-time download link. Staff: released
packages, the accounting of disclosures inside a case, suspensions, notices and court
orders that delay them. Every staff read of a worker's data or of package content is
logged with ``audit_read`` against the case.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from recordwarden.accounts.permissions import (
    requester_of,
    requester_required,
    role_required,
)
from recordwarden.audit.services import audit_read
from recordwarden.core.exceptions import Conflict, Forbidden, NotFound
from recordwarden.core.ratelimit import rate_limited

from . import selectors, services
from .accounting import accounting_for_staff, accounting_suspend, active_suspensions
from .forms import NoticeDelayForm, SuspensionForm
from .notices import notice_delay_record, notice_pdf, notices_send_due
from .permissions import (
    ACCOUNTING_ROLES,
    NOTICE_ROLES,
    PACKAGE_STAFF_ROLES,
    SUSPENSION_ROLES,
)
from .services import LinkState
from .snapshot import confirmed_workers

# What a link that cannot be used says, in plain words. (title, message, status)
LINK_PAGES = {
    LinkState.USED: (
        "This download link has already been used",
        "Each link works once. The records were downloaded when it was used. If that "
        "was not you, tell the Records Disclosure Office at once.",
        410,
    ),
    LinkState.EXPIRED: (
        "This download link has expired",
        "Links work for a limited time. Sign in and open Disclosures to get a new link, "
        "if the records have not been downloaded yet.",
        410,
    ),
    LinkState.REPLACED: (
        "A newer download link replaced this one",
        "Only the newest link works. Sign in and open Disclosures to get a new one.",
        410,
    ),
    LinkState.DELIVERED: (
        "These records were already downloaded",
        "A package is handed over once. Ask whoever in your agency downloaded it, or "
        "the Records Disclosure Office.",
        410,
    ),
    LinkState.PURGED: (
        "These records are no longer available",
        "The Department removes released records after its retention period. The "
        "record of what was released is kept.",
        410,
    ),
    LinkState.UNKNOWN: (
        "This download link is not valid",
        "Check that you copied the whole link and that you are signed in with the "
        "account it was made for.",
        404,
    ),
}


def _not_found(exc=None):
    raise Http404("No such page.") from exc


def _link_page(request, state: str, package=None):
    title, message, status = LINK_PAGES[state]
    return render(
        request,
        "disclosure/link_unavailable.html",
        {"title": title, "message": message, "state": state, "package": package},
        status=status,
    )


# --- Requesters ----------------------------------------------------------------------


@require_GET
@requester_required
def packages(request):
    requester = requester_of(request.user)
    return render(
        request,
        "disclosure/packages.html",
        {
            "packages": selectors.packages_for_requester(requester)[:200],
            "link_hours": _link_hours(),
        },
    )


def _link_hours() -> int:
    from django.conf import settings

    return settings.DOWNLOAD_LINK_HOURS


@require_POST
@requester_required
@rate_limited("portal")
def link_issue(request, public_id):
    requester = requester_of(request.user)
    try:
        package = selectors.package_get_for_requester(requester, public_id)
        _link, token = services.download_link_issue(actor=request.user, package=package)
    except NotFound as exc:
        _not_found(exc)
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect("disclosure:packages")
    return redirect("disclosure:download", token=token)


@require_http_methods(["GET", "POST"])
@rate_limited("portal")
def download(request, token):
    """GET shows what the link is for and a button; POST hands the package over once.
    (A GET never uses the link up, so a mail scanner cannot spend it.)"""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    link = services.link_lookup(actor=request.user, token=token)
    if request.method == "GET":
        state = services.link_state(link)
        if state != LinkState.VALID:
            return _link_page(request, state, link.package if link else None)
        return render(
            request,
            "disclosure/download.html",
            {"link": link, "package": link.package, "token": token},
        )
    delivery = services.download_link_redeem(actor=request.user, token=token)
    if not delivery.ok:
        return _link_page(request, delivery.state, delivery.package)
    return _file_response(delivery.content, delivery.content_type, delivery.filename)


def _file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# --- Staff: packages -------------------------------------------------------------------


@require_GET
@role_required(*PACKAGE_STAFF_ROLES, *NOTICE_ROLES)
def index(request):
    return render(
        request,
        "disclosure/index.html",
        {
            "packages": selectors.packages_for_staff(request.user)[:100],
            "suspensions": selectors.suspensions_for(request.user).filter(
                pk__in=active_suspensions().values("pk")
            ),
        },
    )


@require_GET
@role_required(*PACKAGE_STAFF_ROLES)
def package_detail(request, public_id):
    try:
        package = selectors.package_get_for_staff(request.user, public_id)
    except NotFound as exc:
        _not_found(exc)
    return render(
        request,
        "disclosure/package_detail.html",
        {
            "package": package,
            "entries": package.accounting_entries.count(),
            "links": package.links.all()[:20],
        },
    )


@require_GET
@role_required(*PACKAGE_STAFF_ROLES)
def package_file(request, public_id, part):
    """Staff read of a package's PDF or the accounting letter: logged inside the case."""
    if part not in ("package", "accounting-letter"):
        _not_found()
    try:
        package = selectors.package_get_for_staff(request.user, public_id)
        files = services.package_files(package)
    except (NotFound, Conflict) as exc:
        _not_found(exc)
    ref = package.reference
    name = f"{ref}.pdf" if part == "package" else f"{ref}-accounting-letter.pdf"
    if name not in files:
        _not_found()
    audit_read(
        actor=request.user,
        target=package,
        what=part.replace("-", "_"),
        case=package.request,
    )
    response = HttpResponse(files[name], content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


# --- Staff: accounting -----------------------------------------------------------------


def _case(request, reference):
    try:
        return selectors.request_get_for_staff(request.user, reference)
    except NotFound as exc:
        _not_found(exc)


@require_GET
@role_required(*ACCOUNTING_ROLES)
def case_accounting(request, reference):
    case = _case(request, reference)
    people = []
    for subject, worker in confirmed_workers(case):
        audit_read(actor=request.user, target=worker, what="accounting", case=case)
        people.append(
            {"subject": subject, "worker": worker, "rows": accounting_for_staff(worker)}
        )
    return render(
        request,
        "disclosure/case_accounting.html",
        {
            "case": case,
            "people": people,
            "suspensions": selectors.suspensions_for(request.user, case),
            "packages": case.packages.all(),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*SUSPENSION_ROLES)
def suspend_accounting(request, reference):
    case = _case(request, reference)
    form = SuspensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounting_suspend(actor=request.user, request=case, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        except Forbidden as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The suspension of the accounting is recorded.")
            return redirect("disclosure:case_accounting", reference=case.reference)
    return render(
        request,
        "disclosure/suspend_form.html",
        {"case": case, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- Staff: notices ----------------------------------------------------------------------


@require_GET
@role_required(*NOTICE_ROLES)
def notices(request):
    return render(
        request, "disclosure/notices.html", selectors.notice_board_for(request.user)
    )


@require_POST
@role_required(*NOTICE_ROLES)
def notices_run(request):
    result = notices_send_due(actor=request.user)
    messages.success(
        request,
        f"{result['scheduled']} notice(s) scheduled, {result['sent']} sent, "
        f"{result['overdue']} overdue.",
    )
    return redirect("disclosure:notices")


@require_GET
@role_required(*NOTICE_ROLES)
def notice_file(request, notice_id):
    try:
        notice = selectors.notice_get_for(request.user, notice_id)
    except NotFound as exc:
        _not_found(exc)
    content = notice_pdf(notice)
    if not content:
        _not_found()
    audit_read(actor=request.user, target=notice, what="notice", case=notice.request)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
@role_required(*NOTICE_ROLES)
def notice_delay(request, reference):
    case = _case(request, reference)
    form = NoticeDelayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notice_delay_record(actor=request.user, request=case, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        except Forbidden as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The court order delaying notice is recorded.")
            return redirect("disclosure:notices")
    return render(
        request,
        "disclosure/notice_delay_form.html",
        {"case": case, "form": form, "delays": case.notice_delays.all()},
        status=400 if request.method == "POST" else 200,
    )
