"""Every action the audit log knows. audit_record refuses any other string.

Apps register their actions here, grouped by app, as plain string constants.
"""

# accounts
AGENCY_REGISTRY_LOADED = "accounts.agency_registry_loaded"
API_TOKEN_CREATED = "accounts.api_token_created"  # nosec B105
API_TOKEN_REVOKED = "accounts.api_token_revoked"  # nosec B105
STAFF_ROLE_GRANTED = "accounts.staff_role_granted"
LOGIN_LOCKED = "accounts.login_locked"

# audit
RECORD_READ = "audit.record_read"

ALL_ACTIONS: frozenset[str] = frozenset(
    value
    for name, value in dict(globals()).items()
    if name.isupper() and isinstance(value, str)
)


def register(*actions: str) -> None:
    """Add actions defined in an app's own constants module."""
    global ALL_ACTIONS
    ALL_ACTIONS = ALL_ACTIONS | frozenset(actions)
