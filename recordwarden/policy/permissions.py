"""Who may read and change the policy. Services check role membership; the staff pages
also demand the second factor (``role_required``)."""

from __future__ import annotations

from recordwarden.accounts.constants import Role
from recordwarden.accounts.permissions import roles_of

VIEW_ROLES = frozenset({Role.ADMINISTRATOR, Role.COUNSEL, Role.APPROVER, Role.AUDITOR})
ACTIVATE_ROLES = frozenset({Role.ADMINISTRATOR})


def _is_system(actor) -> bool:
    return isinstance(actor, str) and actor.startswith("system")


def can_view_policy(actor) -> bool:
    return bool(roles_of(actor) & VIEW_ROLES)


def can_activate_policy(actor) -> bool:
    """Administrators activate policy versions; so do system jobs (the shipped baseline)."""
    return _is_system(actor) or bool(roles_of(actor) & ACTIVATE_ROLES)


def policy_versions_visible_to(actor):
    from .models import PolicyVersion

    if not can_view_policy(actor):
        return PolicyVersion.objects.none()
    return PolicyVersion.objects.select_related("activated_by")
