"""What arrives from outside is kept exactly, but never in clear on disk or in the database."""

from django.db import connection

from recordwarden.intake.models import Document, Submission
from recordwarden.intake.services import submission_ingest_email
from recordwarden.intake.storage import _path, blob_read, blob_store

SSN = "521-44-4417"
EMAIL = (
    "From: Carla Baca <cbaca@csed.example.nm.gov>\r\n"
    "To: records@dws.example.nm.gov\r\n"
    "Subject: Employer for Daniel R. Ortega\r\n"
    "Message-ID: <at-rest-1@csed.example.nm.gov>\r\n\r\n"
    f"Daniel R. Ortega, DOB 03/14/1988, SSN {SSN}. Please send employer and wages.\r\n"
).encode()


def test_a_raw_email_is_encrypted_in_the_database(agencies):
    submission = submission_ingest_email(
        actor="system:test", raw=EMAIL, inbox="records@dws.example.nm.gov"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT raw FROM intake_submission WHERE id = %s", [submission.pk]
        )
        stored = bytes(cursor.fetchone()[0])
    assert SSN.encode() not in stored and b"Ortega" not in stored
    assert Submission.objects.get(pk=submission.pk).raw_bytes() == EMAIL


def test_a_stored_file_is_encrypted_and_checked_against_its_name(db):
    content = b"%PDF-1.4 warrant for SSN " + SSN.encode()
    name, digest = blob_store(content)
    on_disk = _path(name).read_bytes()
    assert SSN.encode() not in on_disk and b"%PDF" not in on_disk
    assert blob_read(name) == content
    assert blob_store(content) == (name, digest)  # same bytes, same file
    assert not Document.objects.exists()
