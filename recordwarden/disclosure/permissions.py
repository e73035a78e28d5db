"""Who may receive a package, and which staff see accounting, packages and notices.

Services check role membership (``holds``); pages also demand the second factor
(``role_required``). A requester receives a package made for their agency, or, when the
requester is a worker asking about themselves, a package made for them.
"""

from __future__ import annotations

from django.db.models import Q

from recordwarden.accounts.constants import Role
from recordwarden.accounts.permissions import roles_of

ACCOUNTING_ROLES = (Role.REVIEWER, Role.COUNSEL, Role.APPROVER, Role.AUDITOR)
PACKAGE_STAFF_ROLES = ACCOUNTING_ROLES
SUSPENSION_ROLES = (Role.COUNSEL, Role.APPROVER)
NOTICE_ROLES = (Role.APPROVER, Role.COUNSEL)
# Agencies whose officials may ask to suspend an accounting (45 CFR 164.528(a)(2)).
LAW_ENFORCEMENT_TYPES = frozenset(
    {"local_police", "federal_law_enforcement", "immigration_enforcement"}
)


def holds(actor, *roles: str) -> bool:
    if isinstance(actor, str) or actor is None:
        return False
    if not getattr(actor, "is_active", False):
        return False
    return bool(roles_of(actor) & set(roles))


def packages_visible_to_requester(requester) -> Q:
    """Packages released to the requester's agency, or to the requester (a worker)."""
    if requester is None:
        return Q(pk__in=[])
    if requester.agency_id:
        return Q(recipient_agency_id=requester.agency_id)
    return Q(recipient_agency__isnull=True, recipient_requester_id=requester.pk)


def requester_may_receive(requester, package) -> bool:
    if requester is None or package is None:
        return False
    if requester.agency_id:
        return package.recipient_agency_id == requester.agency_id
    return package.recipient_agency_id is None and (
        package.recipient_requester_id == requester.pk
    )


def can_view_accounting(actor) -> bool:
    return holds(actor, *ACCOUNTING_ROLES)


def can_view_package_record(actor) -> bool:
    return holds(actor, *PACKAGE_STAFF_ROLES)


def can_suspend_accounting(actor) -> bool:
    return holds(actor, *SUSPENSION_ROLES)


def can_manage_notices(actor) -> bool:
    return holds(actor, *NOTICE_ROLES)
