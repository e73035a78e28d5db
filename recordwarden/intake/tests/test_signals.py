"""Each trust signal fires on a crafted request and stays quiet on a legitimate one."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

import pytest
from django.utils import timezone

from recordwarden.accounts.services import requester_create
from recordwarden.intake import constants as c
from recordwarden.intake.domains import is_free_mail, lookalike_of, skeleton
from recordwarden.intake.inputs import RequestInput, SubjectInput
from recordwarden.intake.services import request_submit, submission_ingest_email
from recordwarden.intake.signals import SIGNALS, trust_signals

LEGIT_BODY = (
    "APD case 26-087112. Attached is a search warrant signed by Judge M. Baca for "
    "Thomas A. Keller, DOB 07/02/1979. Please produce his employer and wages."
)


def email(
    body: str = LEGIT_BODY,
    sender: str = "Det. S. Garcia <sgarcia@abqpd.example.gov>",
    to: str = "records@dws.example.nm.gov",
    **headers,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = headers.pop("Subject", "Records request")
    msg["Message-ID"] = headers.pop("Message_ID", f"<{abs(hash((body, sender)))}@x>")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


def signals_of(raw: bytes, inbox: str = "") -> list[str]:
    submission = submission_ingest_email(actor="system:test", raw=raw, inbox=inbox)
    assert submission.request is not None, submission.problems
    return trust_signals(submission.request)


def test_a_legitimate_warrant_from_an_agency_on_file_raises_nothing(agencies):
    assert signals_of(email()) == []


# Each row: signal, an email that must raise it (and an inbox override when needed).
FIRES = {
    "bulk_or_standing_access": email(
        "Please provide a nightly extract of wages for all employees of Sunland Dairy."
    ),
    "no_named_subject": email(
        "Under search warrant 26-1 please provide the employer of the suspect."
    ),
    "civil_immigration_purpose": email(
        LEGIT_BODY + " This is for his removal proceedings under Form I-205."
    ),
    "emergency_unverified": email(
        "EMERGENCY: imminent danger to life. Need the address of Thomas A. Keller, "
        "DOB 07/02/1979."
    ),
    "sender_not_on_file": email(sender="Clerk <clerk@lawfirm.example.com>"),
    "free_mail_domain": email(sender="Garcia <sgarcia.apd@gmail.example.com>"),
    "lookalike_domain": email(sender="Garcia <sgarcia@abqpd.exarnple.gov>"),
    "reply_to_mismatch": email(Reply_To="other@abqpd.example.gov"),
    "display_name_claims_agency": email(
        sender='"Albuquerque Police Department" <sgarcia@ice.example.gov>'
    ),
    "identity_unverified": email(
        "I am a claimant. Please send me my wage history. Luis M. Tapia, DOB 11/02/1982.",
        sender="Luis Tapia <luis.tapia82@mail.example.com>",
    ),
    "multiple_inboxes": email(
        to="records@dws.example.nm.gov, k.tafoya@dws.example.nm.gov"
    ),
}


@pytest.mark.parametrize("signal", sorted(FIRES))
def test_each_signal_fires_on_its_crafted_example(agencies, signal):
    assert signal in signals_of(FIRES[signal], inbox="records@dws.example.nm.gov")


def test_every_signal_in_the_vocabulary_has_a_crafted_example():
    assert set(FIRES) == set(SIGNALS)


@pytest.mark.parametrize(
    "domain, imitates",
    [
        ("abqpd.exarnple.gov", "abqpd.example.gov"),  # rn for m
        ("abqpb.example.gov", "abqpd.example.gov"),  # one letter changed
        ("abqdp.example.gov", "abqpd.example.gov"),  # two letters swapped
        ("abqpd-example.gov", "abqpd.example.gov"),  # dot for dash
        ("xn--bqpd-43d.example.gov", "abqpd.example.gov"),  # Cyrillic a, punycode
        ("ice.examp1e.gov", "ice.example.gov"),  # digit one for l
    ],
)
def test_lookalike_domains_are_caught(agencies, domain, imitates):
    assert lookalike_of(domain) == imitates


@pytest.mark.parametrize(
    "domain",
    [
        "abqpd.example.gov",
        "mail.abqpd.example.gov",
        "lopezfamilylaw.example.com",
        "example.org",
    ],
)
def test_domains_on_file_and_unrelated_ones_are_not_lookalikes(agencies, domain):
    assert lookalike_of(domain) == ""


def test_homoglyph_skeletons_agree():
    assert skeleton("аbqpd.example.gov") == skeleton("abqpd.example.gov")
    assert skeleton("rnail.gov") == skeleton("mail.gov")


@pytest.mark.parametrize(
    "domain, free",
    [
        ("gmail.com", True),
        ("protonmail.example.com", True),
        ("gmail.example.com", True),
        ("abqpd.example.gov", False),
        ("mail.example.com", False),
        ("lopezfamilylaw.example.com", False),
    ],
)
def test_free_mail_providers_are_recognised(domain, free):
    assert is_free_mail(domain) is free


def test_a_bounce_address_on_the_same_domain_is_not_a_mismatch(agencies):
    raw = email(Return_Path="<bounces+x123@abqpd.example.gov>")
    assert "reply_to_mismatch" not in signals_of(raw)
    other = email(
        Return_Path="<bounce@mailer.example.net>", Message_ID="<rp2@x>", Subject="2"
    )
    assert "reply_to_mismatch" in signals_of(other)


def test_a_display_name_naming_the_senders_own_agency_is_quiet(agencies):
    raw = email(sender='"Albuquerque Police Department" <sgarcia@abqpd.example.gov>')
    assert "display_name_claims_agency" not in signals_of(raw)


def test_a_verified_emergency_is_quiet(requester_police):
    data = RequestInput(
        instrument=c.Instrument.NONE,
        purpose=c.Purpose.EMERGENCY,
        emergency=True,
        elements=["address"],
        subjects=[
            SubjectInput(first_name="Maria", last_name="Soto", dob=dt.date(1990, 1, 1))
        ],
    )
    request = request_submit(
        actor=requester_police.user,
        requester=requester_police,
        channel=c.Channel.PORTAL,
        data=data,
        raw=b"{}",
    )
    assert "emergency_unverified" in trust_signals(request)
    # The call-back is recorded by the review app; the signal reads its timestamp.
    request.emergency_verified_at = timezone.now()
    assert "emergency_unverified" not in trust_signals(request)


def test_a_worker_verified_in_person_raises_no_identity_signal(agencies):
    worker = requester_create(
        actor="system:test",
        name="Luis M. Tapia",
        email="luis.tapia@mail.example.com",
        agency=None,
        verified=True,
        password="correct horse battery",
        username="luis",
    )
    data = RequestInput(
        instrument=c.Instrument.OWN_REQUEST,
        purpose=c.Purpose.OWN_RECORDS,
        elements=["wages"],
        subjects=[
            SubjectInput(first_name="Luis", last_name="Tapia", dob=dt.date(1982, 11, 2))
        ],
    )
    request = request_submit(
        actor=worker.user,
        requester=worker,
        channel=c.Channel.PORTAL,
        data=data,
        raw=b"{}",
    )
    assert trust_signals(request) == []
    worker.verified = False
    worker.save()
    request.refresh_from_db()
    assert trust_signals(request) == ["identity_unverified"]
