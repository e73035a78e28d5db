"""Property: whatever the decision, a package holds only the elements it approved
(approve or narrow) of only the people confirmed in the records.

The decisions are random, so they are written as rows here: the policy would (rightly)
refuse most of them through review_decide, and what is under test is the package
builder's own guarantee, which must hold even for a decision the policy never saw.
Requests, matches and the review itself go through the real services."""

from __future__ import annotations

import subprocess

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from recordwarden.disclosure.models import DisclosurePackage
from recordwarden.disclosure.narrowing import NarrowingError, parse
from recordwarden.disclosure.services import package_build, package_files
from recordwarden.disclosure.snapshot import PackageError
from recordwarden.records.catalogue import ELEMENTS

from .conftest import GARCIA, KELLER, ORTEGA, PERIOD, package_document

ALL = list(ELEMENTS)
PEOPLE = [("Keller", KELLER), ("Ortega", ORTEGA), ("Garcia", GARCIA)]
# Text that belongs to one person and one element only.
MARKERS = {
    "Keller": {
        "name": "Keller",
        "dob": "1979-07-02",
        "address": "12 Elm St NE",
        "phone": "505-555-0101",
        "ssn": "525-44-1234",
        "employer": "85-0999111",
        "wages": "9350.50",
        "benefit_amounts": "412.01",
        "work_authorization": "EAD-C01",
        "alien_number": "A200000001",
        "save_result": "SAVE-VERIFIED-1",
    },
    "Ortega": {
        "name": "Ortega",
        "dob": "1988-03-14",
        "address": "1820 Calle Bonita",
        "phone": "505-555-0102",
        "ssn": "585-22-4417",
        "wages": "6120.00",
        "benefit_amounts": "412.02",
        "work_authorization": "EAD-C02",
        "alien_number": "A200000002",
        "save_result": "SAVE-VERIFIED-2",
    },
    "Garcia": {
        "name": "Garcia",
        "dob": "1990-11-23",
        "address": "409 Avenida de Mesilla",
        "phone": "505-555-0103",
        "ssn": "648-31-7781",
        "wages": "5010.25",
        "benefit_amounts": "412.03",
        "work_authorization": "EAD-C03",
        "alien_number": "A200000003",
        "save_result": "SAVE-VERIFIED-3",
    },
}

decisions = st.fixed_dictionaries(
    {
        "actions": st.dictionaries(
            st.sampled_from(ALL),
            st.sampled_from(["approve", "narrow", "deny"]),
            min_size=1,
            max_size=len(ALL),
        ),
        "narrowing": st.sampled_from(
            [
                "2025 Q2 to 2025 Q3",
                "city and state",
                "last name",
                "name and FEIN",
                "as needed",
            ]
        ),
        "people": st.lists(
            st.sampled_from(["auto", "confirmed", "rejected"]), min_size=3, max_size=3
        ),
    }
)


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "p.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(out.split())


def _decide(request, actions, narrowing, reviewer, approver):
    """A final decision as review would store it, with two signatures."""
    from recordwarden.intake.constants import RequestStatus
    from recordwarden.intake.models import Request
    from recordwarden.review.models import Decision, DecisionElement, Signature
    from recordwarden.review.services import open_review, review_start

    review_start(actor=reviewer, request=request)
    now = timezone.now()
    releasing = [e for e, a in actions.items() if a != "deny"]
    decision = Decision.objects.create(
        request=request,
        review=open_review(request),
        kind="approve" if len(releasing) == len(actions) else "partial",
        state="final",
        decided_by=reviewer,
        decided_at=now,
        finalized_at=now,
    )
    for element, action in actions.items():
        DecisionElement.objects.create(
            decision=decision,
            element=element,
            action=action,
            narrowing=narrowing if action == "narrow" else "",
            policy_outcome="permit",
        )
    Signature.objects.create(
        decision=decision, signer=reviewer, role="reviewer", signed_at=now
    )
    Signature.objects.create(
        decision=decision, signer=approver, role="approver", signed_at=now
    )
    Request.objects.filter(pk=request.pk).update(status=RequestStatus.APPROVED)
    return decision


def _request(requester, elements):
    """A fresh case naming all three people. Written as rows: intake would (rightly)
    join every example into the first case, since they name the same people."""
    from recordwarden.intake.models import Request, Subject

    number = Request.objects.count() + 1
    request = Request.objects.create(
        reference=f"RW-2025-{number:06d}",
        agency=requester.agency,
        requester=requester,
        instrument="judicial_warrant",
        case_number=f"P-{number}",
        purpose="criminal_investigation",
        elements=elements,
        instrument_subject_count=3,
        received_at=timezone.now(),
        **PERIOD,
    )
    for position, (_, person) in enumerate(PEOPLE):
        fields = {k: v for k, v in person.items() if k != "ssn_last4"}
        subject = Subject(request=request, position=position, **fields)
        if "ssn_last4" in person:
            subject.set_ssn_last4(person["ssn_last4"])
        subject.save()
    return request


def _set_matches(request, states, reviewer, workers):
    from recordwarden.matching.models import SubjectMatch
    from recordwarden.matching.services import (
        match_confirm,
        match_reject,
        subject_resolve,
    )

    confirmed = set()
    subjects = request.subjects.order_by("position")
    for (last, _), state, subject in zip(PEOPLE, states, subjects, strict=True):
        match = SubjectMatch.objects.filter(subject=subject).first()
        if match is None:  # screening did not run (or failed): resolve directly
            match = subject_resolve(actor="system:test", subject=subject)
        if state == "rejected":
            match_reject(actor=reviewer, subject_match=match)
        else:
            if state == "confirmed":
                match_confirm(actor=reviewer, subject_match=match, worker=workers[last])
            confirmed.add(last)
    return confirmed


@pytest.mark.django_db
@settings(
    max_examples=18,
    deadline=None,
    # Each example builds a real PDF; shrinking would take minutes, so a failure is
    # reported as found (hypothesis prints it).
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=decisions)
def test_a_package_never_holds_an_element_or_a_person_not_approved(
    case, requester_police, workers_on_file, reviewer, approver, tmp_path
):
    actions = case["actions"]
    request = _request(requester_police, list(actions))
    confirmed = _set_matches(request, case["people"], reviewer, workers_on_file)
    decision = _decide(request, actions, case["narrowing"], reviewer, approver)
    released = [e for e in ALL if actions.get(e) in ("approve", "narrow")]
    kept: dict[str, frozenset[str] | None] = {}
    applicable = True
    for element in released:
        if actions[element] == "narrow":
            try:
                kept[element] = parse(case["narrowing"], element).fields
            except NarrowingError:
                applicable = False

    if not released or not confirmed or not applicable:
        with pytest.raises(PackageError):
            package_build(actor=approver, decision=decision)
        assert not DisclosurePackage.objects.filter(decision=decision).exists()
        return

    package = package_build(actor=approver, decision=decision)
    assert package.elements == released
    doc = package_document(package)
    assert [e["key"] for e in doc["elements"]] == released
    assert len(doc["subjects"]) == len(confirmed) == package.subject_count
    for subject in doc["subjects"]:
        assert sorted(subject["data"]) == sorted(released)
        for element, fields in kept.items():
            value = subject["data"][element]
            rows = value if isinstance(value, list) else [value]
            for row in rows:
                if fields is not None and isinstance(row, dict):
                    assert set(row) <= fields, (element, row)

    files = package_files(package)
    text = "\n".join(
        [
            files[f"{package.reference}.json"].decode(),
            files[f"{package.reference}.csv"].decode(),
            _pdf_text(files[f"{package.reference}.pdf"], tmp_path),
        ]
    )
    for last, markers in MARKERS.items():
        for element, marker in markers.items():
            if last not in confirmed or element not in released:
                assert marker not in text, (last, element, marker)
    # A released element of a confirmed person is there.
    for last in confirmed:
        for element in ("ssn", "dob", "wages", "alien_number"):
            if element in released and kept.get(element) is None:
                assert MARKERS[last][element] in text, (last, element)
