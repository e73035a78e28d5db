from django.db import models


class Role(models.TextChoices):
    """Staff roles. Each is a django auth Group of the same name."""

    INTAKE_CLERK = "intake_clerk", "Intake clerk"
    REVIEWER = "reviewer", "Reviewer"
    COUNSEL = "counsel", "Counsel"
    APPROVER = "approver", "Approver"
    AUDITOR = "auditor", "Auditor"
    ADMINISTRATOR = "administrator", "Administrator"


STAFF_ROLES = frozenset(Role.values)


class AgencyType(models.TextChoices):
    IMMIGRATION_ENFORCEMENT = "immigration_enforcement", "Immigration enforcement"
    FEDERAL_LAW_ENFORCEMENT = "federal_law_enforcement", "Federal law enforcement"
    LOCAL_POLICE = "local_police", "State or local police"
    CHILD_SUPPORT = "child_support", "Child-support (IV-D) agency"
    COURT = "court", "Court"
    STATE_AGENCY = "state_agency", "Other state agency"
    PRIVATE_PARTY = "private_party", "Attorney or private party"
    WORKER = "worker", "The worker"
