"""Who may resolve subjects, see candidates and decide matches.

Services check role membership (``roles_of``); the reviewer pages also demand the
second factor through ``role_required``. A requester never sees anything here: the
same 404 answers "no such subject" and "not yours to see".
"""

from __future__ import annotations

from recordwarden.accounts.constants import Role
from recordwarden.accounts.permissions import roles_of

DECIDING_ROLES = (Role.REVIEWER, Role.COUNSEL, Role.APPROVER)
CASEWORK_ROLES = (Role.INTAKE_CLERK, *DECIDING_ROLES)


def is_system(actor) -> bool:
    return isinstance(actor, str) and actor.startswith("system")


def holds(actor, *roles: str) -> bool:
    if (
        isinstance(actor, str)
        or actor is None
        or not getattr(actor, "is_active", False)
    ):
        return False
    return bool(roles_of(actor) & set(roles))


def can_resolve_subject(actor, subject) -> bool:
    """Resolution releases nothing, so screening may run it for whoever submitted the
    request (the requester's own submission), for the system, or for casework staff."""
    if is_system(actor) or holds(actor, *CASEWORK_ROLES):
        return True
    requester = getattr(subject.request, "requester", None)
    user_id = getattr(requester, "user_id", None)
    return user_id is not None and user_id == getattr(actor, "pk", object())


def can_view_candidates(actor) -> bool:
    return holds(actor, *DECIDING_ROLES)


def can_decide_match(actor) -> bool:
    return holds(actor, *DECIDING_ROLES)


def subject_matches_visible_to(actor):
    from .models import SubjectMatch

    if can_view_candidates(actor):
        return SubjectMatch.objects.all()
    return SubjectMatch.objects.none()
