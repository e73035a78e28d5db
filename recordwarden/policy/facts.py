"""The facts a policy decision rests on, established at intake and screening.

``RequestFacts`` is plain data: the engine turns it into the Cedar principal and
context, the exhaustive check enumerates it, and each finding stores it, so a what-if
run re-decides exactly the facts the original decision saw.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils import timezone

from recordwarden.intake.constants import Instrument, Purpose

# The agency type of a request from nobody on the registry: a worker, a private party
# or an unknown sender.
NO_AGENCY = "none"


@dataclass(frozen=True)
class RequestFacts:
    agency_type: str = NO_AGENCY
    agency_verified: bool = False
    # Elements covered by a data-sharing agreement in force for the agency.
    agreement_elements: frozenset[str] = field(default_factory=frozenset)
    purpose: str = Purpose.OTHER.value
    instrument: str = Instrument.NONE.value
    case_number_present: bool = False
    subjects_named: int = 0
    # How many people the legal instrument names; None when it does not say.
    instrument_subject_count: int | None = None
    # Screening identified the named subject(s) specifically (not ambiguous, not none).
    subject_identified: bool = False
    requester_is_subject: bool = False
    # The worker's identity was verified (meaningful only when requester_is_subject).
    identity_verified: bool = False
    bulk_access: bool = False
    emergency: bool = False
    # A call-back to the agency's number on file confirmed the emergency.
    emergency_verified: bool = False
    notice_delay_order: bool = False
    # Fields an order signed by a judge names, as confirmed from the document.
    judge_order_names_fields: frozenset[str] = field(default_factory=frozenset)
    # Fields the worker's written consent covers, as confirmed from the document.
    consented_elements: frozenset[str] = field(default_factory=frozenset)

    def principal_attrs(self) -> dict[str, Any]:
        """Attributes of the Cedar ``Agency`` principal."""
        return {
            "type": self.agency_type,
            "verified": self.agency_verified,
            "agreement_elements": sorted(self.agreement_elements),
        }

    def context(self) -> dict[str, Any]:
        """The Cedar context. An unstated instrument count is left out (optional in
        the schema); any other missing value makes Cedar refuse the request."""
        ctx: dict[str, Any] = {
            "purpose": self.purpose,
            "instrument": self.instrument,
            "case_number_present": self.case_number_present,
            "subjects_named": self.subjects_named,
            "subject_identified": self.subject_identified,
            "requester_is_subject": self.requester_is_subject,
            "identity_verified": self.identity_verified,
            "bulk_access": self.bulk_access,
            "emergency": self.emergency,
            "emergency_verified": self.emergency_verified,
            "notice_delay_order": self.notice_delay_order,
            "judge_order_names_fields": sorted(self.judge_order_names_fields),
            "consented_elements": sorted(self.consented_elements),
        }
        if self.instrument_subject_count is not None:
            ctx["instrument_subject_count"] = self.instrument_subject_count
        return {k: v for k, v in ctx.items() if v is not None}

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe snapshot (stored with each finding)."""
        data = asdict(self)
        for name in (
            "agreement_elements",
            "judge_order_names_fields",
            "consented_elements",
        ):
            data[name] = sorted(data[name])
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RequestFacts:
        """Rebuild facts from ``to_json`` output. Unknown keys are refused."""
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fact fields: {', '.join(sorted(unknown))}")
        values = dict(data)
        for name in (
            "agreement_elements",
            "judge_order_names_fields",
            "consented_elements",
        ):
            if name in values:
                values[name] = frozenset(values[name])
        return cls(**values)


def agreement_elements_in_force(agency, on: dt.date) -> frozenset[str]:
    """Elements covered by the agency's agreements in force on ``on``."""
    if agency is None:
        return frozenset()
    covered: set[str] = set()
    for agreement in agency.agreements.all():
        if agreement.in_force_on(on):
            covered.update(agreement.elements or [])
    return frozenset(covered)


def facts_for_request(
    request,
    *,
    subject_identified: bool,
    requester_is_subject: bool = False,
    identity_verified: bool = False,
    judge_order_names_fields: frozenset[str] | set[str] = frozenset(),
    consented_elements: frozenset[str] | set[str] = frozenset(),
    on: dt.date | None = None,
) -> RequestFacts:
    """The facts of ``request`` as intake recorded them, plus what screening and
    review established: whether the subject was identified, whether the requester is
    the worker (and verified as such), and what a judge's order or a consent names.

    Agreements count only if in force on ``on`` (today by default): an agreement that
    lapsed after the request arrived does not support a release now."""
    agency = request.agency
    day = on or timezone.localdate()
    subjects_named = request.subjects.count() if request.pk else 0
    emergency = bool(request.emergency)
    return RequestFacts(
        agency_type=agency.type if agency is not None else NO_AGENCY,
        agency_verified=bool(agency is not None and agency.verified),
        agreement_elements=agreement_elements_in_force(agency, day),
        purpose=request.purpose,
        instrument=request.instrument,
        case_number_present=bool((request.case_number or "").strip()),
        subjects_named=subjects_named,
        instrument_subject_count=request.instrument_subject_count,
        subject_identified=bool(subject_identified and subjects_named > 0),
        requester_is_subject=bool(requester_is_subject),
        identity_verified=bool(requester_is_subject and identity_verified),
        bulk_access=bool(request.bulk_access),
        emergency=emergency,
        emergency_verified=emergency and request.emergency_verified_at is not None,
        notice_delay_order=bool(request.notice_delay_order),
        judge_order_names_fields=frozenset(judge_order_names_fields),
        consented_elements=frozenset(consented_elements),
    )
