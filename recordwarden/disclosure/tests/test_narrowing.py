"""A narrowed element releases only the quarters or fields the narrowing names; one that
cannot be applied stops the release."""

from __future__ import annotations

import pytest
from django.utils import timezone

from recordwarden.disclosure.extract import Period
from recordwarden.disclosure.narrowing import (
    Narrowing,
    NarrowingError,
    narrowed_period,
    parse,
)

from .conftest import package_document


@pytest.mark.parametrize(
    "text, quarters",
    [
        ("Q1-Q2 2026 only, as the warrant directs", ((2026, 1), (2026, 2))),
        ("2025 Q3 to 2026 Q1", ((2025, 3), (2026, 1))),
        ("Q4 2025", ((2025, 4), (2025, 4))),
        ("2025q2", ((2025, 2), (2025, 2))),
        ("all of 2024", ((2024, 1), (2024, 4))),
        ("Q2 – Q3, 2025", ((2025, 2), (2025, 3))),
    ],
)
def test_quarters_are_read_from_the_words(text, quarters):
    assert parse(text, "wages") == Narrowing(quarters=quarters)


@pytest.mark.parametrize(
    "element, text, fields",
    [
        ("address", "city and state only", {"city", "state"}),
        ("address", "ZIP code", {"zip"}),
        ("name", "last name only", {"last"}),
        ("employer", "name and FEIN, no address", {"name", "fein"}),
    ],
)
def test_fields_are_read_from_the_words(element, text, fields):
    assert parse(text, element).fields == frozenset(fields)


@pytest.mark.parametrize(
    "element, text",
    [
        ("wages", "only what is needed"),
        ("ssn", "last digits"),
        ("address", "Q1 2025"),  # an address is not kept per quarter
        ("dob", "year only"),
        ("wages", ""),
    ],
)
def test_a_narrowing_a_machine_cannot_apply_is_refused(element, text):
    with pytest.raises(NarrowingError):
        parse(text, element)


def test_narrowing_only_ever_takes_quarters_away():
    period = Period((2025, 1), (2025, 4))
    assert narrowed_period(period, parse("2024 Q3 to 2025 Q2", "wages")) == Period(
        (2025, 1), (2025, 2)
    )
    assert narrowed_period(period, parse("2019", "wages")) is None


@pytest.mark.django_db
def test_a_narrowed_release_holds_only_the_narrowed_quarters_and_fields(
    submit, requester_csed, workers_on_file, reviewer, approver
):
    from recordwarden.review.services import decision_sign, review_decide, review_start

    from .conftest import KELLER, PERIOD

    request = submit(
        requester_csed,
        instrument="data_sharing_agreement",
        case_number="N-1",
        purpose="child_support",
        elements=["employer", "wages"],
        subjects=[KELLER],
        **PERIOD,
    )
    review_start(actor=reviewer, request=request)
    request.refresh_from_db()
    decision = review_decide(
        actor=reviewer,
        request=request,
        kind="release",
        elements={
            "employer": {"action": "narrow", "narrowing": "name only"},
            "wages": {"action": "narrow", "narrowing": "Q1-Q2 2025"},
        },
    )
    decision = decision_sign(actor=approver, decision=decision, role="approver")
    doc = package_document(decision.package)
    data = doc["subjects"][0]["data"]
    assert [(w["year"], w["quarter"]) for w in data["wages"]] == [(2025, 1), (2025, 2)]
    assert {w["employer"] for w in data["wages"]} == {"Sandia Widget Co"}
    # Keller's Q3 employer is outside the narrowed wages but inside the employer element,
    # which was narrowed to names: no FEIN anywhere.
    assert all(set(e) == {"name"} for e in data["employer"])
    assert "85-0123456" not in str(doc)
    by_key = {e["key"]: e for e in doc["elements"]}
    assert by_key["wages"]["quarters"] == "2025 Q1 to 2025 Q2"
    assert by_key["employer"]["fields"] == ["name"]
    entry = decision.package.accounting_entries.get()
    assert "Quarterly wages (quarters 2025 Q1 to 2025 Q2)" in entry.description


@pytest.mark.django_db
def test_a_narrowing_that_cannot_be_applied_stops_the_release(police_request, reviewer):
    """Review refuses it when deciding (it asks this module); the builder refuses it
    again for any decision that got past (see test_property for random ones)."""
    from django.core.exceptions import ValidationError

    from recordwarden.disclosure.models import DisclosurePackage
    from recordwarden.review.services import review_decide, review_start

    review_start(actor=reviewer, request=police_request)
    police_request.refresh_from_db()
    with pytest.raises(ValidationError):
        review_decide(
            actor=reviewer,
            request=police_request,
            kind="release",
            elements={
                "employer": {"action": "approve"},
                "wages": {"action": "narrow", "narrowing": "only the relevant ones"},
            },
        )
    assert not DisclosurePackage.objects.exists()


def test_the_builder_names_the_element_whose_narrowing_it_cannot_apply():
    from unittest import mock

    from recordwarden.disclosure.snapshot import PackageError, Released, plan_for

    request = mock.Mock(date_from=None, date_to=None)
    request.received_at = timezone.now()
    with pytest.raises(PackageError, match="narrowing of Quarterly wages"):
        plan_for(request, [Released("wages", "narrow", "only the relevant ones")])
