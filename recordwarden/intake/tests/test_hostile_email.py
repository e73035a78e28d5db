"""Malformed, hostile and oversized email: each is stored exactly as received with its
SHA-256, flagged with a plain reason and put before a clerk; nothing raises, nothing is
dropped."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recordwarden.intake.constants import MAX_SUBJECTS, ProblemCode
from recordwarden.intake.models import Submission
from recordwarden.intake.selectors import triage_list_for
from recordwarden.intake.services import submission_ingest_email

HEAD = (
    b"From: Det. S. Garcia <sgarcia@abqpd.example.gov>\r\n"
    b"To: records@dws.example.nm.gov\r\n"
    b"Subject: Search warrant 26-087112\r\n"
    b"Message-ID: <%s@abqpd.example.gov>\r\n"
)
WARRANT_TEXT = (
    "APD case 26-087112. Attached is a search warrant for Thomas A. Keller, "
    "DOB 07/02/1979. "
    "Please produce his employer and quarterly wages."
)


def ingest(raw: bytes, inbox: str = "records@dws.example.nm.gov") -> Submission:
    return submission_ingest_email(actor="system:test", raw=raw, inbox=inbox)


def assert_kept_for_a_clerk(submission: Submission, raw: bytes, code: str, clerk):
    assert submission.raw_bytes() == raw
    assert submission.sha256 == hashlib.sha256(raw).hexdigest()
    assert submission.needs_triage
    assert code in submission.problem_codes, submission.problems
    assert all(p["message"] for p in submission.problems)
    assert submission in triage_list_for(clerk)


def message(body: str = WARRANT_TEXT, **headers) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = headers.pop("From", "Det. S. Garcia <sgarcia@abqpd.example.gov>")
    msg["To"] = "records@dws.example.nm.gov"
    msg["Subject"] = headers.pop("Subject", "Search warrant 26-087112")
    msg["Message-ID"] = headers.pop("Message_ID", "<m1@abqpd.example.gov>")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg


def test_broken_mime_is_kept_and_read_as_far_as_possible(agencies, intake_clerk):
    raw = (
        HEAD % b"broken"
        + b'Content-Type: multipart/mixed; boundary="XYZ"\r\n\r\n'
        + b"--XYZ\r\nContent-Type: text/plain\r\n\r\n"
        + WARRANT_TEXT.encode()
        + b"\r\n--XYZ\r\nContent-Type: application/pdf\r\n"
        + b"Content-Transfer-Encoding: base64\r\n\r\n%%%not base64%%%"
    )
    submission = ingest(raw)
    assert_kept_for_a_clerk(submission, raw, ProblemCode.UNPARSEABLE, intake_clerk)
    assert submission.request is not None  # the text was still readable
    assert submission.request.case_number == "26-087112"


@pytest.mark.parametrize(
    "raw",
    [
        bytes(range(256)) * 64,
        b"\x00" * 5000,
        b"",
        b"%PDF-1.7 this is not an email at all",
        b"\r\n\r\n\r\n",
    ],
    ids=["all-bytes", "nul", "empty", "pdf", "blank-lines"],
)
def test_binary_junk_is_stored_and_triaged(agencies, intake_clerk, raw):
    submission = ingest(raw)
    assert_kept_for_a_clerk(submission, raw, ProblemCode.NO_SENDER, intake_clerk)
    assert submission.request is None


def test_a_20_mb_email_is_stored_and_its_big_attachment_refused(
    agencies, intake_clerk, settings
):
    settings.UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    msg = message()
    msg.add_attachment(
        b"%PDF-1.4\n" + b"0" * (15 * 1024 * 1024),
        maintype="application",
        subtype="pdf",
        filename="warrant.pdf",
    )
    raw = msg.as_bytes()
    assert len(raw) > 20 * 1024 * 1024
    submission = ingest(raw)
    assert_kept_for_a_clerk(
        submission, raw, ProblemCode.ATTACHMENT_REFUSED, intake_clerk
    )
    assert "the limit is 10 MB" in str(submission.problems)
    assert submission.request.documents.count() == 0
    assert submission.request.subjects.get().last_name == "Keller"


def test_an_email_over_the_reading_limit_is_kept_on_disk_unread(
    agencies, intake_clerk, settings
):
    settings.INTAKE_MAX_EMAIL_BYTES = 4096
    raw = message(body=WARRANT_TEXT + "\n" + "x" * 10_000).as_bytes()
    submission = ingest(raw)
    assert_kept_for_a_clerk(submission, raw, ProblemCode.TOO_LARGE, intake_clerk)
    assert submission.raw_storage_name.startswith("raw/")
    assert bytes(submission.raw) == b""
    assert submission.request is None
    assert ingest(raw).pk == submission.pk


def test_header_injection_is_neutralised_and_flagged(agencies, intake_clerk):
    raw = (
        b"From: sgarcia@abqpd.example.gov\r\n"
        b"To: records@dws.example.nm.gov\r\n"
        b"Subject: =?utf-8?q?Warrant=0D=0ABcc:_everyone@example.com?=\r\n"
        b"Message-ID: <inj@abqpd.example.gov>\r\n\r\n" + WARRANT_TEXT.encode()
    )
    submission = ingest(raw)
    assert_kept_for_a_clerk(submission, raw, ProblemCode.HEADER_INJECTION, intake_clerk)
    assert "\n" not in submission.subject_line and "\r" not in submission.subject_line


def test_a_message_naming_hundreds_of_people_is_capped_and_marked_bulk(
    agencies, intake_clerk
):
    def word(i: int) -> str:
        return "".join("abcdefghij"[int(d)] for d in f"{i:03d}").capitalize()

    people = "\n".join(
        f"Ann{word(i).lower()} Smith{word(i).lower()}, DOB 01/{(i % 28) + 1:02d}/1980"
        for i in range(300)
    )
    raw = message(body=f"Please provide wages for:\n{people}").as_bytes()
    submission = ingest(raw)
    assert_kept_for_a_clerk(submission, raw, ProblemCode.INVALID_VALUE, intake_clerk)
    request = submission.request
    assert request.subjects.count() == MAX_SUBJECTS
    assert request.bulk_access


def test_a_pdf_that_is_really_html_is_not_kept_as_a_document(agencies, intake_clerk):
    msg = message()
    msg.add_attachment(
        b"<html><body><script>alert(document.cookie)</script></body></html>",
        maintype="application",
        subtype="pdf",
        filename="warrant.pdf",
    )
    msg.add_attachment(
        b"PK\x03\x04zip", maintype="application", subtype="zip", filename="a.zip"
    )
    msg.add_attachment(
        b"%PDF-1.5 real", maintype="application", subtype="pdf", filename="ok.pdf"
    )
    raw = msg.as_bytes()
    submission = ingest(raw)
    assert_kept_for_a_clerk(
        submission, raw, ProblemCode.ATTACHMENT_REFUSED, intake_clerk
    )
    assert "web page (HTML)" in str(submission.problems)
    assert "zip archive" in str(submission.problems)
    assert [d.filename for d in submission.request.documents.all()] == ["ok.pdf"]


def test_html_only_mail_is_read_as_text_without_its_scripts(agencies, intake_clerk):
    msg = EmailMessage()
    msg["From"] = "sgarcia@abqpd.example.gov"
    msg["To"] = "records@dws.example.nm.gov"
    msg["Subject"] = "Warrant"
    msg["Message-ID"] = "<html-only@abqpd.example.gov>"
    msg.set_content(
        "<html><head><style>p{}</style><script>steal()</script></head><body>"
        f"<p>{WARRANT_TEXT}</p></body></html>",
        subtype="html",
    )
    raw = msg.as_bytes()
    submission = ingest(raw)
    assert_kept_for_a_clerk(submission, raw, ProblemCode.HTML_ONLY, intake_clerk)
    request = submission.request
    assert request.subjects.get().last_name == "Keller"
    assert "steal()" not in request.purpose_text and "<p>" not in request.purpose_text


@pytest.mark.parametrize(
    "charset, body",
    [
        (b"utf-8", "Señor Núñez, DOB 01/02/1980, warrant".encode("latin-1")),
        (b"x-no-such-charset", b"Thomas Keller, DOB 07/02/1979, warrant"),
    ],
)
def test_text_in_a_wrong_or_unknown_charset_is_read_with_replacements(
    agencies, intake_clerk, charset, body
):
    raw = (
        HEAD % charset
        + b"Content-Type: text/plain; charset="
        + charset
        + b"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + body
    )
    submission = ingest(raw)
    assert submission.raw_bytes() == raw
    assert submission.request is not None
    if charset != b"utf-8":
        assert_kept_for_a_clerk(submission, raw, ProblemCode.BAD_CHARSET, intake_clerk)


def test_an_empty_body_goes_to_a_clerk(agencies, intake_clerk):
    raw = HEAD % b"empty" + b"\r\n"
    submission = ingest(raw)
    assert_kept_for_a_clerk(submission, raw, ProblemCode.EMPTY_BODY, intake_clerk)


def test_a_message_with_nothing_recognisable_goes_to_a_clerk(agencies, intake_clerk):
    raw = message(
        body="Hi, please call me back when you can. Thanks!", Subject="Hello"
    ).as_bytes()
    submission = ingest(raw)
    assert_kept_for_a_clerk(
        submission, raw, ProblemCode.NOTHING_EXTRACTED, intake_clerk
    )
    assert submission.request is None


def test_an_unknown_sender_with_a_spoofed_display_name_is_flagged(
    agencies, intake_clerk
):
    raw = message(
        From='"Albuquerque Police Dept" <apd.records@gmail.example.com>'
    ).as_bytes()
    submission = ingest(raw)
    assert_kept_for_a_clerk(submission, raw, ProblemCode.UNKNOWN_SENDER, intake_clerk)
    assert ProblemCode.SPOOFING_SIGNS in submission.problem_codes
    assert "claims Albuquerque Police Department" in str(submission.problems)
    assert submission.request.claimed_agency == "Albuquerque Police Department"


def test_a_reused_message_id_with_other_content_is_kept_too(agencies, intake_clerk):
    first = ingest(message().as_bytes())
    other = message(body="Different words naming Ana Ruiz, DOB 01/01/1990, warrant.")
    second = ingest(other.as_bytes())
    assert second.pk != first.pk
    assert ProblemCode.MESSAGE_ID_REUSED in second.problem_codes


def test_a_legitimate_message_needs_no_triage(agencies, intake_clerk):
    submission = ingest(message().as_bytes())
    assert not submission.needs_triage, submission.problems
    assert submission not in triage_list_for(intake_clerk)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(raw=st.binary(max_size=2000))
def test_no_bytes_at_all_make_ingest_raise(agencies, raw):
    submission = ingest(b"From: a@b.example\r\n" + raw)
    assert submission.raw_bytes() == b"From: a@b.example\r\n" + raw


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(max_size=3000))
def test_no_text_makes_the_extractor_raise(agencies, text):
    msg = EmailMessage()
    msg["From"] = "x@abqpd.example.gov"
    msg["Subject"] = "request"
    msg.set_content(text or " ")
    submission = ingest(msg.as_bytes())
    assert submission.pk
