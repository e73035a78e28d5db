"""What a door hands to the intake services: plain data, the same from every channel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from recordwarden.accounts.models import Agency

from .constants import Instrument, Purpose


@dataclass
class SubjectInput:
    first_name: str = ""
    middle_name: str = ""
    last_name: str = ""
    suffix: str = ""
    dob: dt.date | None = None
    ssn: str = ""
    ssn_last4: str = ""
    street: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""

    @classmethod
    def from_dict(cls, data: dict) -> SubjectInput:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def is_blank(self) -> bool:
        return not any(
            getattr(self, name) for name in self.__dataclass_fields__ if name != "state"
        )

    def summary(self) -> dict:
        """For storage and display: the SSN is never kept in clear."""
        return {
            "first_name": self.first_name,
            "middle_name": self.middle_name,
            "last_name": self.last_name,
            "suffix": self.suffix,
            "dob": self.dob.isoformat() if self.dob else None,
            "has_ssn": bool(self.ssn),
            "ssn_last4": (self.ssn_last4 or self.ssn[-4:])
            if (self.ssn_last4 or self.ssn)
            else "",
            "city": self.city,
            "state": self.state,
        }


@dataclass
class RequestInput:
    instrument: str = Instrument.NONE
    case_number: str = ""
    purpose: str = Purpose.OTHER
    purpose_text: str = ""
    elements: list[str] = field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    emergency: bool = False
    instrument_subject_count: int | None = None
    notice_delay_order: bool = False
    subjects: list[SubjectInput] = field(default_factory=list)
    # Set by the email extractor; portal and API requests get it from their text.
    bulk_access: bool = False
    # Paper only: the clerk picks the agency on file, or notes who the sender claims to be.
    agency: Agency | None = None
    claimed_agency: str = ""

    def summary(self) -> dict:
        return {
            "instrument": str(self.instrument),
            "case_number": self.case_number,
            "purpose": str(self.purpose),
            "elements": list(self.elements),
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "emergency": self.emergency,
            "instrument_subject_count": self.instrument_subject_count,
            "bulk_access": self.bulk_access,
            "subjects": [s.summary() for s in self.subjects],
            "agency": self.agency.key if self.agency else None,
            "claimed_agency": self.claimed_agency,
        }
