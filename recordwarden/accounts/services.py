"""Writes for agencies, requesters, staff roles and API tokens."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import OperationalError, transaction
from django.utils import timezone

from recordwarden.audit import actions
from recordwarden.audit.services import audit_record

from .constants import AgencyType, Role
from .models import Agency, AgencyDomain, Agreement, ApiToken, LoginFailure, Requester

User = get_user_model()
logger = logging.getLogger("recordwarden.accounts")


class RegistryError(ValueError):
    """The registry file is not valid; ``problems`` maps entry key to reasons."""

    def __init__(self, problems: dict[str, list[str]]):
        self.problems = problems
        lines = [f"{key}: {'; '.join(reasons)}" for key, reasons in problems.items()]
        super().__init__("agency registry rejected:\n" + "\n".join(lines))


@dataclass
class RegistryResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def ensure_role_groups() -> None:
    for role in Role.values:
        Group.objects.get_or_create(name=role)


def _validate_agency(entry, index: int, seen: set[str]) -> tuple[str, list[str]]:
    if not isinstance(entry, dict):
        return f"entry {index + 1}", ["is not a mapping"]
    key = entry.get("key")
    label = str(key) if key else f"entry {index + 1}"
    problems: list[str] = []
    if not key or not isinstance(key, str) or not key.replace("-", "").isalnum():
        problems.append("key must be letters, digits and dashes")
    elif key in seen:
        problems.append("key appears twice")
    if not isinstance(entry.get("name"), str) or not entry.get("name", "").strip():
        problems.append("name is required")
    if entry.get("type") not in AgencyType.values:
        problems.append(f"type must be one of {', '.join(AgencyType.values)}")
    domains = entry.get("domains", [])
    if not isinstance(domains, list) or not all(
        isinstance(d, str) and "." in d and " " not in d for d in domains
    ):
        problems.append("domains must be a list of domain names")
    if "verified" in entry and not isinstance(entry["verified"], bool):
        problems.append("verified must be true or false")
    for agreement in entry.get("agreements", []) or []:
        problems.extend(_validate_agreement(agreement))
    unknown = set(entry) - {
        "key",
        "name",
        "type",
        "domains",
        "phone_on_file",
        "verified",
        "agreements",
        "jurisdiction",
    }
    if unknown:
        problems.append(f"unknown fields: {', '.join(sorted(unknown))}")
    return label, problems


def _validate_agreement(agreement) -> list[str]:
    from recordwarden.records.catalogue import ELEMENTS

    if not isinstance(agreement, dict) or not agreement.get("reference"):
        return ["each agreement needs a reference"]
    problems = []
    ref = agreement["reference"]
    for name in ("valid_from", "valid_to"):
        if not isinstance(agreement.get(name), dt.date):
            problems.append(f"agreement {ref}: {name} must be a date (YYYY-MM-DD)")
    if not problems and agreement["valid_to"] < agreement["valid_from"]:
        problems.append(f"agreement {ref}: valid_to is before valid_from")
    elements = agreement.get("elements", [])
    if not isinstance(elements, list):
        problems.append(f"agreement {ref}: elements must be a list")
    else:
        bad = [e for e in elements if e not in ELEMENTS]
        if bad:
            problems.append(
                f"agreement {ref}: unknown elements {', '.join(map(str, bad))}"
            )
    return problems


@transaction.atomic
def agency_load_registry(*, actor, entries: list) -> RegistryResult:
    """Create or update agencies from registry entries. All or nothing: any bad entry
    raises RegistryError naming it, and nothing is written."""
    if not isinstance(entries, list):
        raise RegistryError({"file": ["must be a list of agencies"]})
    problems: dict[str, list[str]] = {}
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        label, reasons = _validate_agency(entry, index, seen)
        if reasons:
            problems[label] = reasons
        else:
            seen.add(entry["key"])
    owners: dict[str, str] = {}
    for entry in entries:
        if isinstance(entry, dict):
            for domain in entry.get("domains", []) or []:
                if isinstance(domain, str) and domain.lower() in owners:
                    problems.setdefault(str(entry.get("key")), []).append(
                        f"domain {domain} is also claimed by {owners[domain.lower()]}"
                    )
                elif isinstance(domain, str):
                    owners[domain.lower()] = str(entry.get("key"))
    if problems:
        raise RegistryError(problems)
    result = RegistryResult()
    for entry in entries:
        _apply_agency(entry, result)
    audit_record(
        actor=actor,
        action=actions.AGENCY_REGISTRY_LOADED,
        target="registry",
        data={
            "created": result.created,
            "updated": result.updated,
            "unchanged": len(result.unchanged),
        },
    )
    return result


def _agency_state(agency: Agency) -> tuple:
    return (
        agency.name,
        agency.type,
        agency.jurisdiction,
        agency.phone_on_file,
        agency.verified,
        sorted(agency.domain_list),
        sorted(
            (a.reference, a.basis, tuple(a.elements), a.valid_from, a.valid_to)
            for a in agency.agreements.all()
        ),
    )


def _apply_agency(entry: dict, result: RegistryResult) -> None:
    agency = Agency.objects.filter(key=entry["key"]).first()
    before = _agency_state(agency) if agency else None
    values = {
        "name": entry["name"].strip(),
        "type": entry["type"],
        "jurisdiction": entry.get("jurisdiction", "") or "",
        "phone_on_file": entry.get("phone_on_file", "") or "",
        "verified": bool(entry.get("verified", False)),
    }
    agency, _ = Agency.objects.update_or_create(key=entry["key"], defaults=values)
    domains = {d.lower() for d in entry.get("domains", []) or []}
    AgencyDomain.objects.filter(agency=agency).exclude(domain__in=domains).delete()
    AgencyDomain.objects.filter(domain__in=domains).exclude(agency=agency).delete()
    for domain in domains:
        AgencyDomain.objects.get_or_create(agency=agency, domain=domain)
    refs = []
    for agreement in entry.get("agreements", []) or []:
        refs.append(agreement["reference"])
        Agreement.objects.update_or_create(
            agency=agency,
            reference=agreement["reference"],
            defaults={
                "basis": agreement.get("basis", "") or "",
                "elements": list(agreement.get("elements", [])),
                "valid_from": agreement["valid_from"],
                "valid_to": agreement["valid_to"],
            },
        )
    agency.agreements.exclude(reference__in=refs).delete()
    after = _agency_state(agency)
    if before is None:
        result.created.append(agency.key)
    elif before != after:
        result.updated.append(agency.key)
    else:
        result.unchanged.append(agency.key)


@transaction.atomic
def staff_create(*, actor, username: str, password: str, roles: list[str], email=""):
    """Create a staff account holding ``roles``."""
    ensure_role_groups()
    bad = [r for r in roles if r not in Role.values]
    if bad:
        raise ValueError(f"unknown roles: {', '.join(bad)}")
    user = User.objects.create_user(username=username, password=password, email=email)
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
        audit_record(
            actor=actor,
            action=actions.STAFF_ROLE_GRANTED,
            target=user,
            data={"role": role},
        )
    return user


@transaction.atomic
def requester_create(
    *,
    actor,
    name: str,
    email: str,
    agency: Agency | None,
    password: str | None = None,
    verified: bool = False,
    username: str | None = None,
) -> Requester:
    """Create a requester (and a portal log-in if ``password`` is given)."""
    user = None
    if password is not None:
        user = User.objects.create_user(
            username=username or email.lower(), password=password, email=email
        )
    requester = Requester(
        user=user, agency=agency, name=name, email=email.lower(), verified=verified
    )
    requester.full_clean()
    requester.save()
    return requester


@transaction.atomic
def api_token_create(*, actor, requester: Requester, name: str) -> tuple[ApiToken, str]:
    """Issue a token; returns the row and the clear token, which is never stored."""
    clear = "rw_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        requester=requester,
        name=name,
        prefix=clear[:10],
        token_hash=ApiToken.hash_token(clear),
    )
    audit_record(
        actor=actor,
        action=actions.API_TOKEN_CREATED,
        target=token,
        data={"requester": requester.pk, "prefix": token.prefix},
    )
    return token, clear


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action=actions.API_TOKEN_REVOKED, target=token, data={})
    return token


def api_token_authenticate(clear: str) -> Requester | None:
    if not clear or len(clear) > 200:
        return None
    token = (
        ApiToken.objects.select_related("requester__agency")
        .filter(token_hash=ApiToken.hash_token(clear), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    _note_token_use(token)
    return token.requester


def _note_token_use(token: ApiToken) -> None:
    """Record when a token was last used, at most once a minute: under load every call
    writing this row queued API calls behind one another on SQLite's single writer
    (and failed them with "database is locked"). A busy database skips the note; it
    never refuses the call."""
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < dt.timedelta(minutes=1):
        return
    try:
        with transaction.atomic():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    except OperationalError:
        logger.warning("token %s: last use not recorded (database busy)", token.prefix)


def login_is_locked(username: str) -> bool:
    from django.conf import settings

    since = timezone.now() - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    count = LoginFailure.objects.filter(
        username=username.lower(), at__gte=since
    ).count()
    return count >= settings.LOGIN_MAX_FAILURES


@transaction.atomic
def login_failure_record(*, username: str, ip: str | None) -> bool:
    """Count a failed log-in; returns True if the account is now locked."""
    LoginFailure.objects.create(
        username=username.lower()[:150], at=timezone.now(), ip=ip
    )
    locked = login_is_locked(username)
    if locked:
        audit_record(
            actor="anonymous",
            action=actions.LOGIN_LOCKED,
            target=f"login:{ApiToken.hash_token(username.lower())[:16]}",
            data={},
        )
    return locked


def login_failures_clear(*, username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()).delete()
