"""The extraction rules, one behaviour at a time: what they read and what they refuse to
invent."""

from __future__ import annotations

import datetime as dt

import pytest

from recordwarden.intake.constants import Instrument, Purpose
from recordwarden.intake.extract import (
    extract,
    find_case_number,
    find_date_range,
    find_elements,
    find_subjects,
    parse_date,
    sentences,
)

TODAY = dt.date(2026, 11, 25)


def subjects(text):
    return [
        (s.first_name, s.middle_name, s.last_name, s.suffix, s.dob, s.ssn, s.ssn_last4)
        for s in find_subjects(text, today=TODAY)
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "for Maria de la Cruz, DOB 1990-01-31.",
            [("Maria", "", "de la Cruz", "", dt.date(1990, 1, 31), "", "")],
        ),
        (
            "Subject: Thomas A. Keller Jr., DOB 07/02/1979, SSN 123-45-6789",
            [("Thomas", "A", "Keller", "Jr.", dt.date(1979, 7, 2), "123-45-6789", "")],
        ),
        (
            "José Núñez (date of birth: March 5, 1984) and Ana Ruiz, born 12/01/90",
            [
                ("José", "", "Núñez", "", dt.date(1984, 3, 5), "", ""),
                ("Ana", "", "Ruiz", "", dt.date(1990, 12, 1), "", ""),
            ],
        ),
        (
            "the last four of the SSN of Ann Lee are unknown; Ann Lee xxx-xx-1234",
            [("Ann", "", "Lee", "", None, "", "1234")],
        ),
        (
            "wages for SSN 123-45-6789 please",
            [("", "", "", "", None, "123-45-6789", "")],
        ),
    ],
)
def test_people_are_read_next_to_their_identifiers(text, expected):
    assert subjects(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "signed by Judge M. Baca of the Second Judicial District Court",
        "all employees of Sunland Dairy LLC (FEIN 85-0000000)",
        "Call Lt. R. Chavez at 505-555-0131",
        "DOB 07/02/1979",  # an identifier with no name is not a person
        "Dear Officer, DOB 01/01/1980",  # a title is not a name
    ],
)
def test_no_person_is_invented_from_names_without_identifiers(text):
    assert subjects(text) == []


def test_an_impossible_date_of_birth_is_left_out():
    [found] = find_subjects("Ana Ruiz, DOB 02/30/1990", today=TODAY)
    assert found.last_name == "Ruiz" and found.dob is None


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("07/02/1979", dt.date(1979, 7, 2)),
        ("7-2-79", dt.date(1979, 7, 2)),
        ("1979-07-02", dt.date(1979, 7, 2)),
        ("Jul 2, 1979", dt.date(1979, 7, 2)),
        ("2 July 1979", dt.date(1979, 7, 2)),
        ("13/13/1979", None),
    ],
)
def test_dates_are_read_month_first(raw, expected):
    assert parse_date(raw, today=TODAY) == expected


@pytest.mark.parametrize(
    "text, instrument",
    [
        (
            "Attached is a search warrant signed by Judge Baca.",
            Instrument.JUDICIAL_WARRANT,
        ),
        ("We have no warrant, just need a quick look.", Instrument.NONE),
        ("Served without a warrant because of exigency.", Instrument.NONE),
        ("A court order signed by the judge is attached.", Instrument.COURT_ORDER),
        ("Grand jury subpoena No. 44 is attached.", Instrument.GRAND_JURY_SUBPOENA),
        ("Subpoena duces tecum issued by the clerk.", Instrument.CLERK_SUBPOENA),
        ("DHS Form I-138 is attached.", Instrument.ADMINISTRATIVE_SUBPOENA),
        (
            "Warrant for Arrest of Alien (Form I-200).",
            Instrument.ADMINISTRATIVE_WARRANT,
        ),
        ("Form I-205 warrant of removal.", Instrument.ADMINISTRATIVE_WARRANT),
        (
            "Under data-sharing agreement DSA-2024-07.",
            Instrument.DATA_SHARING_AGREEMENT,
        ),
        ("The worker's signed consent form is attached.", Instrument.WRITTEN_CONSENT),
        ("Just checking on someone.", Instrument.NONE),
    ],
)
def test_the_legal_instrument_is_classified(text, instrument):
    assert extract("", text, today=TODAY).instrument == instrument


@pytest.mark.parametrize(
    "text, purpose",
    [
        (
            "Criminal investigation. 8 U.S.C. 1324a employer sanctions.",
            Purpose.CIVIL_IMMIGRATION,
        ),
        ("For his deportation hearing.", Purpose.CIVIL_IMMIGRATION),
        ("Enforcement and Removal Operations", Purpose.CIVIL_IMMIGRATION),
        ("An investigation of embezzlement.", Purpose.CRIMINAL_INVESTIGATION),
        ("IV-D case for the obligor.", Purpose.CHILD_SUPPORT),
        ("Exigent: child abduction in progress.", Purpose.EMERGENCY),
        ("In the divorce matter of Lopez.", Purpose.CIVIL_LITIGATION),
        (
            "Removal from office of the treasurer, a criminal matter.",
            Purpose.CRIMINAL_INVESTIGATION,
        ),
        ("Hello.", Purpose.OTHER),
    ],
)
def test_the_purpose_is_classified_with_civil_immigration_first(text, purpose):
    assert extract("", text, today=TODAY).purpose == purpose


@pytest.mark.parametrize(
    "text, bulk",
    [
        ("Please provision direct read access to your database.", True),
        ("Set us up with a login to the database.", True),
        ("We need a nightly extract of wages.", True),
        ("Names of all employees of Sunland Dairy LLC.", True),
        ("A roster of every employee at the plant.", True),
        ("All wage records for the respondent, Jorge Lopez, DOB 05/19/1985.", False),
        ("Access to counsel was granted to the suspect.", False),
    ],
)
def test_bulk_and_standing_access_language(text, bulk):
    assert extract("", text, today=TODAY).bulk_access is bulk


@pytest.mark.parametrize(
    "text, elements",
    [
        (
            "Please provide the current employer name and address and the last four "
            "quarters of wages for the obligor below.\nLast known address: 1 Main St",
            ["employer", "wages"],
        ),
        (
            "We need the home address and phone number for Maria Soto, SSN ending 4471.",
            ["address", "phone"],
        ),
        (
            "Request names, SSNs and home addresses of all employees.",
            ["name", "address", "ssn"],
        ),
        (
            "Please send the last four of the SSN and the date of birth.",
            ["dob", "ssn_last4"],
        ),
        ("Tell me who has asked for my records.", ["accounting_of_disclosures"]),
        (
            "Provide his immigration status and alien number.",
            ["work_authorization", "alien_number"],
        ),
        # A terse message with no asking verb is read as a whole.
        ("Wage records for Ann Lee, DOB 01/01/1990.", ["wages"]),
    ],
)
def test_elements_come_only_from_sentences_that_ask(text, elements):
    found, _ = find_elements(text)
    assert found == elements


@pytest.mark.parametrize(
    "text, expected",
    [
        ("wages for Q1-Q2 2026", (dt.date(2026, 1, 1), dt.date(2026, 6, 30))),
        ("Q3 2025 through Q1 2026", (dt.date(2025, 7, 1), dt.date(2026, 3, 31))),
        ("2024 through 2026", (dt.date(2024, 1, 1), dt.date(2026, 12, 31))),
        ("the last four quarters", (dt.date(2025, 10, 1), dt.date(2026, 9, 30))),
        ("case 2026-118734", (None, None)),
    ],
)
def test_the_period_is_read_from_quarters_and_years(text, expected):
    assert find_date_range(text, today=TODAY) == expected


@pytest.mark.parametrize(
    "text, number",
    [
        ("(APD case 26-087112)", "26-087112"),
        ("in divorce matter D-101-DM-2026-0212.", "D-101-DM-2026-0212"),
        ("IV-D case number: 2026-118734", "2026-118734"),
        ("Docket No. CR-2026-00451", "CR-2026-00451"),
        ("for our case. Could you", ""),
        ("report 2024 figures", ""),
    ],
)
def test_case_numbers_follow_their_keyword(text, number):
    assert find_case_number(text) == number


def test_label_lines_are_their_own_sentences():
    text = (
        "Obligor: Daniel R. Ortega\nLast known address: 1 Main St\nPlease send wages."
    )
    assert sentences(text) == [
        "Obligor: Daniel R. Ortega",
        "Last known address: 1 Main St",
        "Please send wages.",
    ]


def test_the_instrument_head_count_is_read():
    found = extract("", "The warrant names 2 individuals: see attached.", today=TODAY)
    assert found.instrument_subject_count == 2


def test_the_summary_never_holds_a_full_ssn():
    found = extract("", "Provide wages for Ann Lee, SSN 123-45-6789.", today=TODAY)
    summary = found.summary()
    assert "123-45-6789" not in repr(summary)
    assert summary["subjects"][0]["ssn"] == "***-**-6789"
