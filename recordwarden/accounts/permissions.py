"""Who may do what. Roles are auth groups; staff must also have passed the second factor."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .constants import STAFF_ROLES, Role


def roles_of(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_rw_roles", None)
    if cached is None:
        cached = frozenset(
            name
            for name in user.groups.values_list("name", flat=True)
            if name in STAFF_ROLES
        )
        user._rw_roles = cached
    return cached


def is_staff_member(user) -> bool:
    return bool(roles_of(user))


def has_role(user, *roles: str) -> bool:
    """True if the user holds one of ``roles`` and has verified a second factor."""
    if not roles_of(user) & set(roles):
        return False
    return bool(getattr(user, "is_verified", lambda: False)())


def requester_of(user):
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "requester", None)


def can_manage_registry(user) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


def can_view_audit(user) -> bool:
    return has_role(user, Role.AUDITOR, Role.ADMINISTRATOR, Role.APPROVER)


def role_required(*roles: str):
    """View decorator: anonymous users go to the log-in page; others without the role,
    or staff who have not passed the second factor, get 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def requester_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if requester_of(request.user) is None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
