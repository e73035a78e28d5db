"""Who may see and do what in review.

Services check roles by membership (``roles_of``); the web pages and the API also demand
the second factor (``role_required`` / ``has_role``), which the session carries. Each
``can_<verb>_<noun>`` sits beside the visibility rule it relies on.
"""

from __future__ import annotations

from recordwarden.accounts.constants import Role
from recordwarden.accounts.permissions import roles_of
from recordwarden.core.exceptions import Forbidden

CASEWORK_ROLES = (Role.INTAKE_CLERK, Role.REVIEWER, Role.COUNSEL, Role.APPROVER)
DECIDER_ROLES = (Role.REVIEWER, Role.COUNSEL)
SIGNER_ROLES = (Role.APPROVER, Role.COUNSEL)
CALLBACK_ROLES = (Role.INTAKE_CLERK, Role.REVIEWER)


def is_system(actor) -> bool:
    return isinstance(actor, str) and actor.startswith("system:")


def holds(actor, *roles: str) -> bool:
    """The actor is an active staff member holding one of ``roles``."""
    if isinstance(actor, str) or actor is None:
        return False
    if not getattr(actor, "is_active", False):
        return False
    return bool(roles_of(actor) & set(roles))


def require(actor, *roles: str, message: str = "") -> None:
    if not holds(actor, *roles):
        raise Forbidden(message or "Your role does not allow this.")


def requests_visible_to(actor):
    """Requests a staff member may look at in review: every case, for casework roles;
    nothing for anyone else (requesters follow theirs on the portal)."""
    from recordwarden.intake.models import Request

    if holds(actor, *CASEWORK_ROLES):
        return Request.objects.all()
    return Request.objects.none()


def can_view_queue(actor) -> bool:
    return holds(actor, *CASEWORK_ROLES)


def can_screen_request(actor) -> bool:
    return is_system(actor) or holds(actor, *CASEWORK_ROLES)


def can_decide_request(actor, request) -> bool:
    from recordwarden.intake.constants import RequestStatus

    return holds(actor, *DECIDER_ROLES) and request.status == RequestStatus.IN_REVIEW


def can_sign_decision(actor, decision) -> bool:
    """An approver or counsel who has not already signed this pending decision."""
    from .constants import DecisionState

    if decision is None or decision.state != DecisionState.PENDING:
        return False
    if not holds(actor, *SIGNER_ROLES):
        return False
    return not any(s.signer_id == actor.pk for s in decision.signatures.all())


def can_record_callback(actor) -> bool:
    return holds(actor, *CALLBACK_ROLES)
