"""The accounting of disclosures per worker (45 CFR 164.528; 5 U.S.C. 552a(c)).

An entry is written for each worker in a package, in the transaction that builds it:
the date, the recipient and their address, what was released, and the purpose with the
request's reference (the copy of the request stays on file under that reference).
Entries are never purged: retention removes package content only, and the entry's
foreign keys are PROTECT. Records handed to the worker themself are not accounted
(the accounting covers disclosures to others).

A law-enforcement agency may ask that disclosures to it be left out of a worker's
accounting for a time (45 CFR 164.528(a)(2)); the suspension is recorded against the
request with its end date. Staff always see every entry, with the suspension noted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from recordwarden.audit.services import audit_record
from recordwarden.core.exceptions import Forbidden
from recordwarden.intake.constants import Instrument, Purpose
from recordwarden.records.catalogue import ELEMENTS

from . import constants as c
from .models import AccountingEntry, AccountingSuspension
from .permissions import LAW_ENFORCEMENT_TYPES, can_suspend_accounting

PURPOSE_TEXT_LIMIT = 1500


def retain_until(moment: dt.datetime) -> dt.date:
    day = timezone.localtime(moment).date()
    try:
        return day.replace(year=day.year + c.ACCOUNTING_RETENTION_YEARS)
    except ValueError:  # 29 February
        return day.replace(year=day.year + c.ACCOUNTING_RETENTION_YEARS, day=28)


def to_the_worker(request) -> bool:
    """The worker's own request: records handed to the person they are about."""
    return request.agency_id is None and (
        request.instrument == Instrument.OWN_REQUEST
        or request.purpose == Purpose.OWN_RECORDS
    )


def recipient_address(request) -> str:
    """The recipient's address as on file: agency, jurisdiction, telephone and the
    requester's e-mail (the registry keeps no postal address)."""
    agency, requester = request.agency, request.requester
    lines = []
    if agency is not None:
        lines.append(agency.name)
        if agency.jurisdiction:
            lines.append(agency.jurisdiction)
        if agency.phone_on_file:
            lines.append(f"Telephone {agency.phone_on_file}")
    if requester is not None:
        lines.append(f"{requester.name}, {requester.email}")
    elif request.claimed_agency:
        lines.append(request.claimed_agency)
    return "\n".join(lines) or "Not on file"


def purpose_of(request) -> str:
    parts = [f"{request.get_purpose_display()}."]
    text = (request.purpose_text or "").strip()
    if text:
        parts.append(text[:PURPOSE_TEXT_LIMIT])
    process = f"Legal process: {request.get_instrument_display()}"
    if request.case_number:
        process += f", case {request.case_number}"
    parts.append(process + ".")
    parts.append(f"Request {request.reference}.")
    return " ".join(parts)


def description_of(elements: list[dict]) -> str:
    """What was released, as the package document describes each element."""
    parts = []
    for e in elements:
        text = ELEMENTS[e["key"]].label
        details = []
        if e.get("fields"):
            details.append(", ".join(e["fields"]))
        if e.get("quarters"):
            details.append(f"quarters {e['quarters']}")
        parts.append(f"{text} ({'; '.join(details)})" if details else text)
    return "; ".join(parts)


def accounting_record(*, actor, package, pairs, document) -> list[AccountingEntry]:
    """One entry per worker in ``package``. Called by package_build, inside its
    transaction; the package's audit entry carries the count."""
    request = package.request
    if to_the_worker(request):
        return []
    base = {
        "package": package,
        "request": request,
        "disclosed_at": package.built_at,
        "recipient_name": package.recipient_label,
        "recipient_address": recipient_address(request),
        "elements": list(package.elements),
        "description": description_of(document["elements"])[:2000],
        "purpose": purpose_of(request),
        "request_reference": request.reference,
        "retain_until": retain_until(package.built_at),
    }
    entries = [AccountingEntry(worker=worker, **base) for _subject, worker in pairs]
    for entry in entries:
        entry.full_clean(validate_unique=False)
    AccountingEntry.objects.bulk_create(entries)
    audit_record(
        actor=actor,
        action=c.ACCOUNTING_RECORDED,
        target=package,
        data={"request": request.pk, "entries": len(entries)},
    )
    return entries


# --- Suspensions ---------------------------------------------------------------------


def active_suspensions(today: dt.date | None = None):
    today = today or timezone.localdate()
    return AccountingSuspension.objects.filter(ends_on__gte=today)


def accounting_visible_to_worker(worker, today: dt.date | None = None):
    """What the worker's own accounting lists: every entry about them, except those a
    suspension still in force covers."""
    suspended = active_suspensions(today).values("request_id")
    return (
        AccountingEntry.objects.filter(worker=worker)
        .exclude(request_id__in=suspended)
        .order_by("disclosed_at", "id")
    )


@dataclass
class StaffEntry:
    entry: AccountingEntry
    suspension: AccountingSuspension | None


def accounting_for_staff(worker, today: dt.date | None = None) -> list[StaffEntry]:
    """Every entry about ``worker``, with the suspension in force on it, if any."""
    entries = list(
        AccountingEntry.objects.filter(worker=worker)
        .select_related("package")
        .order_by("-disclosed_at", "-id")
    )
    by_request: dict[int, AccountingSuspension] = {}
    for s in (
        active_suspensions(today)
        .filter(request_id__in={e.request_id for e in entries})
        .order_by("ends_on")
    ):
        by_request[s.request_id] = s  # the latest end date wins
    return [StaffEntry(e, by_request.get(e.request_id)) for e in entries]


def _check_suspension(actor, request, written: bool, ends_on: dt.date) -> None:
    if not can_suspend_accounting(actor):
        raise Forbidden("Only counsel or an approver records a suspension.")
    agency = request.agency
    if agency is None or agency.type not in LAW_ENFORCEMENT_TYPES:
        raise ValidationError(
            {"request": "Only a law-enforcement agency's request can be suspended."}
        )
    today = timezone.localdate()
    if ends_on <= today:
        raise ValidationError({"ends_on": "The end date must be after today."})
    if not written and ends_on > today + dt.timedelta(days=c.ORAL_SUSPENSION_MAX_DAYS):
        raise ValidationError(
            {
                "ends_on": "An oral statement suspends the accounting for at most "
                f"{c.ORAL_SUSPENSION_MAX_DAYS} days; ask for a written statement."
            }
        )


@transaction.atomic
def accounting_suspend(
    *,
    actor,
    request,
    statement_reference: str,
    written: bool,
    reason: str,
    ends_on: dt.date,
) -> AccountingSuspension:
    """Record a law-enforcement agency's statement that telling the worker about the
    disclosures in ``request`` would impede its activity, until ``ends_on``. An oral
    statement lasts at most 30 days (45 CFR 164.528(a)(2)(ii))."""
    _check_suspension(actor, request, written, ends_on)
    agency = request.agency
    suspension = AccountingSuspension(
        request=request,
        agency=agency,
        statement_reference=statement_reference.strip(),
        written=written,
        reason=reason.strip(),
        ends_on=ends_on,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    suspension.full_clean()
    suspension.save()
    audit_record(
        actor=actor,
        action=c.ACCOUNTING_SUSPENDED,
        target=request,
        data={
            "suspension": suspension.pk,
            "agency": agency.pk,
            "ends_on": ends_on,
            "written": written,
        },
    )
    return suspension


# --- The letter ----------------------------------------------------------------------


def accounting_letter_pdf(*, request, workers, now) -> bytes:
    """The letter answering a worker's request for their accounting (one page or more
    per worker), from the entries visible to the worker at ``now``."""
    from .pdf import ACCOUNTING_TEMPLATE, address_lines, render_pdf

    today = timezone.localtime(now).date()
    people = [
        {
            "name": w.full_name,
            "address": address_lines(w),
            "entries": list(accounting_visible_to_worker(w, today)),
        }
        for w in workers
    ]
    recipient = request.requester.name if request.requester else people[0]["name"]
    return render_pdf(
        ACCOUNTING_TEMPLATE,
        {
            "people": people,
            "recipient": recipient,
            "request_reference": request.reference,
            "issued_on": today,
        },
    )
