"""Choices and audit actions of the records app."""

from django.db import models

from recordwarden.audit import actions as audit_actions

STATE_SYNTHESIZED = "records.state_synthesized"
WORKERS_IMPORTED = "records.workers_imported"
WAGES_IMPORTED = "records.wages_imported"

audit_actions.register(STATE_SYNTHESIZED, WORKERS_IMPORTED, WAGES_IMPORTED)


class WorkerOrigin(models.TextChoices):
    SYNTHETIC = "synthetic", "Synthetic state"
    IMPORT = "import", "Worker file"
    WAGE_REPORT = "wage_report", "New hire from a wage report"


class ClaimStatus(models.TextChoices):
    FILED = "filed", "Filed"
    ACTIVE = "active", "Paying"
    DENIED = "denied", "Denied"
    EXHAUSTED = "exhausted", "Benefits exhausted"
    CLOSED = "closed", "Closed (returned to work)"


class HardCaseKind(models.TextChoices):
    """Records that make subject matching hard (the generator's ground truth)."""

    HOUSEHOLD = "household", "Household (shared surname and address)"
    TWIN = "twin", "Twin (same surname, address and date of birth)"
    JR_SR = "jr_sr", "Jr/Sr pair at one address"
    COMMON_NAME = "common_name", "Shares a full name with other workers"


# Encryption contexts: bound as associated data so a ciphertext moved to another
# column does not decrypt.
CTX_SSN = "worker.ssn"
CTX_WORK_AUTHORIZATION = "claim.work_authorization"
CTX_ALIEN_NUMBER = "claim.alien_number"
CTX_SAVE_RESULT = "claim.save_result"
CTX_SEX = "claim.sex"
