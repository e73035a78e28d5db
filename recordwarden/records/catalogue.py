"""The data-element catalogue: every element an outsider could ask for.

This is the one list. Intake forms, the policy engine (entities and schema checks) and
disclosure packages all read it; nothing else names fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Sensitivity(models.TextChoices):
    IDENTITY = "identity", "Identity"
    CONTACT = "contact", "Contact"
    EMPLOYMENT = "employment", "Employment"
    WAGES = "wages", "Wages"
    BENEFITS = "benefits", "Benefits"
    SSN = "ssn", "Social Security number"
    PROTECTED = "protected", "Protected attribute"
    ACCOUNTING = "accounting", "Accounting of disclosures"


@dataclass(frozen=True)
class Element:
    key: str
    label: str
    category: str
    sensitivity: str
    description: str


_ELEMENTS = [
    Element(
        "name",
        "Full name",
        "person",
        Sensitivity.IDENTITY,
        "First, middle and last name and suffix as on file.",
    ),
    Element(
        "dob",
        "Date of birth",
        "person",
        Sensitivity.IDENTITY,
        "Date of birth as on file.",
    ),
    Element(
        "address",
        "Address",
        "person",
        Sensitivity.CONTACT,
        "Street, city, state, ZIP and county of the last known address.",
    ),
    Element(
        "phone",
        "Telephone number",
        "person",
        Sensitivity.CONTACT,
        "Telephone number on a claim, if any.",
    ),
    Element(
        "ssn",
        "Social Security number",
        "person",
        Sensitivity.SSN,
        "The full nine-digit SSN.",
    ),
    Element(
        "ssn_last4",
        "Last four digits of SSN",
        "person",
        Sensitivity.SSN,
        "The last four digits of the SSN.",
    ),
    Element(
        "employer",
        "Employer",
        "employment",
        Sensitivity.EMPLOYMENT,
        "Name, FEIN and address of each employer in the quarters asked for.",
    ),
    Element(
        "wages",
        "Quarterly wages",
        "employment",
        Sensitivity.WAGES,
        "Wages reported per employer per quarter in the quarters asked for.",
    ),
    Element(
        "claim_dates",
        "Claim dates",
        "benefits",
        Sensitivity.BENEFITS,
        "Filing, effective and end dates of unemployment-insurance claims.",
    ),
    Element(
        "benefit_amounts",
        "Benefit amounts",
        "benefits",
        Sensitivity.BENEFITS,
        "Weekly benefit amount and claim status.",
    ),
    Element(
        "work_authorization",
        "Work-authorization status",
        "claim",
        Sensitivity.PROTECTED,
        "Immigration or work-authorization status recorded on a claim.",
    ),
    Element(
        "alien_number",
        "Alien registration number",
        "claim",
        Sensitivity.PROTECTED,
        "The A-number recorded on a claim.",
    ),
    Element(
        "save_result",
        "SAVE verification result",
        "claim",
        Sensitivity.PROTECTED,
        "Result of the SAVE immigration-status check on a claim.",
    ),
    Element("sex", "Sex", "claim", Sensitivity.PROTECTED, "Sex recorded on a claim."),
    Element(
        "accounting_of_disclosures",
        "Accounting of disclosures",
        "accounting",
        Sensitivity.ACCOUNTING,
        "The list of disclosures made about the worker (worker's own request).",
    ),
]

ELEMENTS: dict[str, Element] = {e.key: e for e in _ELEMENTS}
ELEMENT_CHOICES: list[tuple[str, str]] = [(e.key, e.label) for e in _ELEMENTS]


def element(key: str) -> Element:
    """Return the element, or raise KeyError naming the unknown key."""
    try:
        return ELEMENTS[key]
    except KeyError:
        raise KeyError(f"unknown data element {key!r}") from None


def validate_elements(keys) -> list[str]:
    """Return ``keys`` deduplicated in catalogue order.

    Raise ValueError naming any unknown keys."""
    keys = list(keys)
    unknown = sorted({k for k in keys if k not in ELEMENTS}, key=str)
    if unknown:
        raise ValueError(f"unknown data elements: {', '.join(map(str, unknown))}")
    wanted = set(keys)
    return [e.key for e in _ELEMENTS if e.key in wanted]
