"""Snapshots and file builders shared by the import tests."""

from recordwarden.audit.models import AuditEntry
from recordwarden.records.models import Claim, Employer, WageRecord, Worker

WORKER_HEADER = (
    "worker_id,ssn,first_name,middle_name,last_name,suffix,dob,street,city,state,zip,"
    "county"
)
WAGE_HEADER = "ssn,first_name,last_name,employer_fein,year,quarter,wages"


def snapshot() -> dict:
    """Everything an import could change, to prove a rejected file changed nothing."""
    return {
        "workers": sorted(
            Worker.objects.values_list(
                "worker_id", "first_name", "last_name", "dob", "street", "ssn_hash"
            )
        ),
        "employers": sorted(Employer.objects.values_list("fein", "legal_name")),
        "wages": sorted(
            WageRecord.objects.values_list(
                "worker_id", "employer_id", "year", "quarter", "wages_cents"
            )
        ),
        "claims": Claim.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def write(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path
