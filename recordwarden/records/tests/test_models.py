import datetime

import pytest

from recordwarden.core import crypto
from recordwarden.records.models import Claim, Employer, Worker


@pytest.mark.django_db
def test_a_worker_ssn_and_claim_protected_fields_decrypt_only_in_their_column():
    worker = Worker.objects.create(
        worker_id="W0000001",
        first_name="Ana",
        last_name="Chávez",
        dob=datetime.date(1980, 5, 1),
        zip="87501",
        ssn_encrypted=crypto.encrypt("123456789", context="worker.ssn"),
        ssn_hash=crypto.ssn_hash("123456789"),
        ssn_last4_hash=crypto.ssn_last4_hash("6789"),
    )
    employer = Employer.objects.create(
        fein="850123456", state_account_number="0123456", legal_name="Acme"
    )
    claim = Claim.objects.create(
        worker=worker,
        claim_number="C1",
        separating_employer=employer,
        filed_on=datetime.date(2025, 1, 6),
        effective_on=datetime.date(2025, 1, 5),
        weekly_benefit_cents=45000,
        status="active",
        sex_encrypted=crypto.encrypt("F", context="claim.sex"),
    )
    worker.refresh_from_db()
    claim.refresh_from_db()
    assert worker.decrypt_ssn() == "123456789"
    assert worker.decrypt_ssn_last4() == "6789"
    assert claim.decrypt_sex() == "F"
    assert claim.decrypt_alien_number() == ""
    assert Worker.objects.get(ssn_hash=crypto.ssn_hash("123456789")) == worker
    with pytest.raises(Exception):  # noqa: B017 - InvalidTag from another context
        crypto.decrypt(worker.ssn_encrypted, context="claim.sex")
