"""Letters: versioned Django templates under templates/letters/, rendered to PDF by
WeasyPrint, issued once per decision and kept (bytes and SHA-256) as sent.

A letter that refuses never says whether a person is in the records: its text is built
only from the request, the decision and its citations, never from match results.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from recordwarden.audit.services import actor_ref, audit_record
from recordwarden.records.catalogue import ELEMENTS

from . import constants as c
from .constants import DecisionKind, ElementAction, EventKind, LetterKind, ReasonCode
from .models import Decision, Letter, RequestEvent
from .services import event_add

# The template in force for each kind. A change of wording is a new file (v2), so
# every letter on file names the exact text it was made from.
LETTER_TEMPLATES = {
    LetterKind.DENIAL: "letters/denial.v1.html",
    LetterKind.QUASH: "letters/quash.v1.html",
    LetterKind.APPROVAL: "letters/approval.v1.html",
    LetterKind.JUDICIAL_ORDER: "letters/judicial_order.v1.html",
}

# What each reason code means, in the words a letter uses.
REASON_SENTENCES = {
    ReasonCode.BULK_OR_STANDING_ACCESS: (
        "The Department does not provide direct, standing or bulk access to its "
        "records, and does not produce lists of workers by employer or by any other "
        "category. A request must name the specific people it concerns."
    ),
    ReasonCode.NO_SPECIFIC_SUBJECT: (
        "The request does not identify a specific person. The Department considers "
        "requests only about specifically identified individuals."
    ),
    ReasonCode.CIVIL_IMMIGRATION: (
        "The Department does not disclose confidential information for civil "
        "immigration enforcement unless a judicial warrant or an order signed by a "
        "judge names the person."
    ),
    ReasonCode.NOT_JUDICIAL: (
        "The legal process provided is not signed by a judge. Administrative subpoenas "
        "and administrative warrants are not judicial process."
    ),
    ReasonCode.PROTECTED_FIELDS: (
        "The request asks for protected information that is disclosed to no one but "
        "the worker, unless an order signed by a judge names it."
    ),
    ReasonCode.NO_LEGAL_BASIS: (
        "No legal basis permits the disclosure of the information asked for to the "
        "requester for the stated purpose."
    ),
    ReasonCode.OUTSIDE_AGREEMENT: (
        "The information asked for is outside the data-sharing agreement on file."
    ),
    ReasonCode.REQUESTER_UNVERIFIED: (
        "The Department could not verify the request with the requesting agency at its "
        "telephone number on file."
    ),
    ReasonCode.EMERGENCY_NOT_VERIFIED: (
        "The emergency described could not be confirmed with the requesting agency at "
        "its telephone number on file."
    ),
    ReasonCode.POLICY_FORBIDS: (
        "The Department's disclosure policy does not permit this disclosure."
    ),
    ReasonCode.OTHER: "",
}

LETTERHEAD = {
    "agency": "New Mexico Department of Workforce Solutions",
    "office": "Office of the Secretary: Records Requests",
    "address": "Records Requests, P.O. Box 1928, Albuquerque, NM 87103",
    "email": "records-requests@dws.example.gov",
}


def _recipient(request) -> dict:
    submissions = list(
        request.submissions.all().only("sender", "sender_display_name", "received_at")
    )
    first = submissions[0] if submissions else None
    if request.requester_id:
        name, email = request.requester.name, request.requester.email
    elif first is not None and first.sender:
        name, email = first.sender_display_name or first.sender, first.sender
    else:
        name, email = "Requester", ""
    agency = request.agency.name if request.agency_id else ""
    return {"name": name, "agency": agency, "email": email}


def letter_context(decision: Decision) -> dict:
    request = decision.request
    codes = [code for code in decision.reason_codes if code in ReasonCode.values]
    elements = list(decision.elements.all())
    released = [
        {
            "label": ELEMENTS[e.element].label if e.element in ELEMENTS else e.element,
            "narrowing": e.narrowing,
        }
        for e in elements
        if e.action in (ElementAction.APPROVE, ElementAction.NARROW)
    ]
    withheld = [
        ELEMENTS[e.element].label if e.element in ELEMENTS else e.element
        for e in elements
        if e.action == ElementAction.DENY
    ]
    signatures = [
        {
            "name": s.signer.get_full_name() or s.signer.get_username(),
            "role": s.get_role_display(),
            "date": timezone.localtime(s.signed_at).date(),
        }
        for s in decision.signatures.select_related("signer")
    ]
    return {
        "letterhead": LETTERHEAD,
        "date": timezone.localtime(decision.finalized_at or decision.decided_at).date(),
        "request": request,
        "recipient": _recipient(request),
        "instrument": request.get_instrument_display(),
        "decision": decision,
        "reasons": [
            {
                "code": code,
                "label": ReasonCode(code).label,
                "sentence": REASON_SENTENCES.get(code, ""),
            }
            for code in codes
        ],
        "reason_text": decision.reasons,
        "citations": list(decision.citations),
        "released": released,
        "withheld": withheld,
        "signatures": signatures,
    }


def letter_html(decision: Decision, kind: str) -> str:
    return render_to_string(LETTER_TEMPLATES[kind], letter_context(decision))


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def letter_kind_for(decision: Decision) -> str:
    return c.LETTER_FOR_DECISION[DecisionKind(decision.kind)]


@transaction.atomic
def letter_issue(*, actor, decision: Decision, kind: str | None = None) -> Letter:
    """Render and keep the letter for a final decision (once; later calls return it)."""
    from recordwarden.core.exceptions import Conflict

    from .constants import DecisionState

    kind = kind or letter_kind_for(decision)
    existing = Letter.objects.filter(decision=decision, kind=kind).first()
    if existing is not None:
        return existing
    if decision.state != DecisionState.FINAL:
        raise Conflict("A letter is issued once the decision is final.")
    pdf = html_to_pdf(letter_html(decision, kind))
    letter = Letter(
        request=decision.request,
        decision=decision,
        kind=kind,
        template=LETTER_TEMPLATES[kind],
        issued_at=timezone.now(),
        issued_by=actor_ref(actor),
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    try:
        with transaction.atomic():
            letter.save()
    except IntegrityError:
        return Letter.objects.get(decision=decision, kind=kind)
    event_add(
        request=decision.request,
        kind=EventKind.LETTER,
        actor=actor,
        data={"letter": letter.pk, "kind": kind, "sha256": letter.sha256},
    )
    audit_record(
        actor=actor,
        action=c.LETTER_ISSUED,
        target=decision.request,
        data={
            "letter": letter.pk,
            "kind": kind,
            "template": letter.template,
            "sha256": letter.sha256,
            "decision": decision.pk,
        },
    )
    return letter


def letters_dispatch(*, actor="system:letters", limit: int = 100) -> int:
    """Work through the outbox: issue and email each letter a decision calls for.
    Each event is stamped once, so a second run sends nothing twice."""
    pending = list(
        RequestEvent.objects.filter(
            kind__in=[EventKind.DECIDED, EventKind.JUDICIAL_ORDER_REQUESTED],
            letters_done_at__isnull=True,
            data__has_key="letter",
        ).order_by("id")[:limit]
    )
    sent = 0
    for event in pending:
        with transaction.atomic():
            claimed = RequestEvent.objects.filter(
                pk=event.pk, letters_done_at__isnull=True
            ).update(letters_done_at=timezone.now())
            if not claimed:
                continue
            decision = Decision.objects.get(pk=event.data["decision"])
            letter = letter_issue(
                actor=actor, decision=decision, kind=event.data["letter"]
            )
            sent += _email(letter)
    return sent


def _email(letter: Letter) -> int:
    recipient = _recipient(letter.request)
    if not recipient["email"]:
        return 0
    message = EmailMessage(
        subject=f"Your records request {letter.request.reference}",
        body=(
            f"A letter about your request {letter.request.reference} is attached. "
            "It is also available on the portal."
        ),
        to=[recipient["email"]],
    )
    message.attach(
        f"{letter.request.reference}-{letter.kind}.pdf",
        bytes(letter.pdf),
        "application/pdf",
    )
    return message.send()
