"""Who may see and touch which request. One rule, used by the portal, the API and staff
pages: a requester sees their agency's requests (a worker, only their own); intake and
review staff see all; nobody else sees any.

Services and selectors check roles by membership (``holds_role``); the web pages also
demand the second factor (``role_required``), which the session carries."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from recordwarden.accounts.constants import Role
from recordwarden.accounts.models import Requester
from recordwarden.accounts.permissions import requester_of, roles_of

from .models import Request

STAFF_READERS = (Role.INTAKE_CLERK, Role.REVIEWER, Role.COUNSEL, Role.APPROVER)


def holds_role(actor, *roles: str) -> bool:
    return bool(roles_of(actor) & set(roles))


def _requester(actor) -> Requester | None:
    if isinstance(actor, Requester):
        return actor
    return requester_of(actor)


def request_visible_to(actor) -> QuerySet[Request]:
    if holds_role(actor, *STAFF_READERS):
        return Request.objects.all()
    requester = _requester(actor)
    if requester is None:
        return Request.objects.none()
    if requester.agency_id:
        return Request.objects.filter(agency_id=requester.agency_id)
    return Request.objects.filter(Q(requester=requester))


def can_view_request(actor, request: Request) -> bool:
    return request_visible_to(actor).filter(pk=request.pk).exists()


def can_add_documents(actor, request: Request) -> bool:
    """The requester side that can see the request, or an intake clerk."""
    if holds_role(actor, Role.INTAKE_CLERK):
        return True
    return _requester(actor) is not None and can_view_request(actor, request)


def can_triage(actor) -> bool:
    return holds_role(actor, Role.INTAKE_CLERK)
