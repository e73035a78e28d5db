from .permissions import has_role, requester_of, roles_of


def roles(request):
    user = getattr(request, "user", None)
    held = roles_of(user) if user is not None else frozenset()
    verified = bool(user and getattr(user, "is_verified", lambda: False)())
    return {
        "staff_roles": held if verified else frozenset(),
        "staff_unverified": bool(held) and not verified,
        "current_requester": requester_of(user) if user is not None else None,
        "is_auditor": bool(user) and has_role(user, "auditor", "administrator"),
    }
