"""Who reaches what: every URL pattern and every API operation against every persona.

The routes are read from the URL configuration (``recordwarden.urls``, walked resolver by
resolver) and from the API's OpenAPI document; the expected outcomes are the tables
below. A route without a row in its table fails the test, so a new page or endpoint
cannot ship without someone deciding who may use it. A row whose route no longer
exists fails too.

Outcomes:
- ``OK``      the persona gets through (GET: 2xx, or a redirect that is not to the
              log-in page; POST: anything below 500 but 401/403/404/405 and log-in)
- ``LOGIN``   redirect to the log-in page (anonymous visitors)
- ``DENY``    403 (signed in, but not a role or requester this page is for)
- ``HIDDEN``  404, exactly as for an id that does not exist (another agency's object)
- ``UNAUTH``  401 problem (API without credentials)
- ``ADMIN``   ends on the (second-factor) admin log-in page: no persona is Django staff

Staff who signed in with a password but have not passed the second factor get exactly
what an outsider gets: the ``unverified`` persona holds every staff role without a
verified device, and its expected outcome is the outsider's.

Each call runs inside a savepoint that is rolled back, so one persona's POST does not
change what the next one sees. Every response is also checked for the security headers.
"""

from __future__ import annotations

import copy
import re
import uuid
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from recordwarden.core.middleware import CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY

from .world import PDF, build_world

pytestmark = pytest.mark.django_db

OK, LOGIN, DENY, HIDDEN, UNAUTH, ADMIN = (
    "OK",
    "LOGIN",
    "DENY",
    "HIDDEN",
    "UNAUTH",
    "ADMIN",
)

STAFF = ("intake_clerk", "reviewer", "counsel", "approver", "auditor", "administrator")
REQUESTERS = ("requester_police", "requester_ice", "requester_worker")
PERSONAS = (*STAFF, *REQUESTERS, "outsider", "anonymous")
CASEWORK = ("intake_clerk", "reviewer", "counsel", "approver")
DECIDERS = ("reviewer", "counsel", "approver")
ACCOUNTING = ("reviewer", "counsel", "approver", "auditor")
NOTICES = ("approver", "counsel")
POLICY_READERS = ("administrator", "counsel", "approver", "auditor")


@dataclass(frozen=True)
class Rule:
    method: str
    outcomes: dict  # persona -> outcome
    kwargs: dict | None = None  # URL kwargs -> World attribute (None: no kwargs)


def staff_page(*allowed, method="GET", **kwargs) -> Rule:
    """A page for some staff roles (role_required): others 403, anonymous log in."""
    outcomes = {p: OK if p in allowed else DENY for p in PERSONAS}
    outcomes["anonymous"] = LOGIN
    return Rule(method, outcomes, kwargs or None)


def requester_page(method="GET", *, own_only=False, agency_only=False, **kwargs):
    """A portal page (requester_required). ``own_only``: an object of the police
    requester, hidden from every other requester. ``agency_only``: only requesters
    at an agency may use it (a worker asking about themselves has no tokens)."""
    outcomes = {p: DENY for p in PERSONAS}
    outcomes.update({p: OK for p in REQUESTERS})
    if own_only:
        outcomes.update(requester_ice=HIDDEN, requester_worker=HIDDEN)
    if agency_only:
        outcomes.update(requester_worker=DENY)
    outcomes["anonymous"] = LOGIN
    return Rule(method, outcomes, kwargs or None)


def public(method="GET", outcome=OK, **kwargs) -> Rule:
    return Rule(method, {p: outcome for p in PERSONAS}, kwargs or None)


def admin_route(method="GET") -> Rule:
    return Rule(method, {p: ADMIN for p in PERSONAS})


REF = {"reference": "reference"}
OPEN = {"reference": "open_reference"}

# Route (namespace:name, or the route text for unnamed ones) -> rule.
PAGES: dict[str, Rule] = {
    "core:home": public(),
    "core:healthz": public(),
    "accounts:login": public(),
    "accounts:logout": public("POST"),
    "accounts:agency_list": staff_page("administrator"),
    "accounts:api_tokens": requester_page(agency_only=True),
    # Portal (requesters).
    "intake:request_list": requester_page(),
    "intake:new_request": requester_page(),
    "intake:new_who": requester_page(),
    "intake:new_subjects": requester_page(),
    "intake:new_records": requester_page(),
    "intake:new_documents": requester_page(),
    "intake:new_review": requester_page(),
    "intake:confirmation": requester_page(own_only=True, **REF),
    "intake:request_detail": requester_page(own_only=True, **REF),
    # Intake clerks.
    "intake:triage": staff_page("intake_clerk"),
    "intake:submission_detail": staff_page("intake_clerk", pk="submission_pk"),
    "intake:paper": staff_page("intake_clerk"),
    "intake:request_edit": staff_page("intake_clerk", **OPEN),
    "intake:document_download": staff_page(*CASEWORK, pk="document_pk"),
    # Policy.
    "policy:home": staff_page(*POLICY_READERS),
    "policy:preview": staff_page(*POLICY_READERS, method="POST"),
    "policy:activate": staff_page("administrator", method="POST"),
    "policy:version": staff_page(*POLICY_READERS, sha256="policy_sha256"),
    # Matching (inside a case).
    "matching:subject": staff_page(*DECIDERS, subject_id="subject_id"),
    "matching:confirm": staff_page(*DECIDERS, method="POST", subject_id="subject_id"),
    "matching:reject": staff_page(*DECIDERS, method="POST", subject_id="subject_id"),
    "matching:resolve": staff_page(*DECIDERS, method="POST", subject_id="subject_id"),
    # Review.
    "review:queue": staff_page(*CASEWORK),
    "review:intake": staff_page(*CASEWORK),
    # A notification is for one role (here the reviewers): to the rest, not found.
    "review:notification_read": Rule(
        "POST",
        {
            **staff_page(*CASEWORK).outcomes,
            **{p: HIDDEN for p in CASEWORK if p != "reviewer"},
        },
        {"notification_id": "notification_id"},
    ),
    "review:case": staff_page(*CASEWORK, **REF),
    "review:start": staff_page(*DECIDERS, method="POST", **OPEN),
    "review:screen": staff_page(*CASEWORK, method="POST", **OPEN),
    "review:assign": staff_page(*CASEWORK, method="POST", **OPEN),
    "review:decide": staff_page(*CASEWORK, method="POST", **OPEN),
    "review:reopen": staff_page(*CASEWORK, method="POST", **REF),
    "review:withdraw": staff_page(*CASEWORK, method="POST", **OPEN),
    "review:sign": staff_page(
        *CASEWORK, method="POST", decision_id="decision_id", **REF
    ),
    "review:return": staff_page(
        *CASEWORK, method="POST", decision_id="decision_id", **REF
    ),
    "review:letter_prepare": staff_page(
        *CASEWORK, method="POST", decision_id="decision_id", **REF
    ),
    "review:letter": staff_page(*CASEWORK, letter_id="letter_id", **REF),
    # The requester's copy of a letter about their own request.
    "review:requester_letter": requester_page(
        own_only=True, letter_id="letter_id", **REF
    ),
    "review:task": staff_page(*CASEWORK, method="POST", task_id="task_id", **REF),
    # Disclosure: requesters.
    "disclosure:packages": requester_page(),
    "disclosure:link_issue": requester_page(
        "POST", own_only=True, public_id="package_id"
    ),
    # A download link is a capability for one requester: anyone else (signed in) is
    # told it is not a valid link, the same as a made-up one.
    "disclosure:download": Rule(
        "GET",
        {
            **{p: HIDDEN for p in PERSONAS},
            "requester_police": OK,
            "anonymous": LOGIN,
        },
        {"token": "token"},
    ),
    # Disclosure: staff.
    "disclosure:index": staff_page(*ACCOUNTING),
    "disclosure:package_detail": staff_page(*ACCOUNTING, public_id="package_id"),
    "disclosure:package_file": staff_page(
        *ACCOUNTING, public_id="package_id", part="=package"
    ),
    "disclosure:case_accounting": staff_page(*ACCOUNTING, **REF),
    "disclosure:suspend_accounting": staff_page("counsel", "approver", **REF),
    "disclosure:notice_delay": staff_page(*NOTICES, reference="ice_reference"),
    "disclosure:notices": staff_page(*NOTICES),
    "disclosure:notices_run": staff_page(*NOTICES, method="POST"),
    "disclosure:notice_file": staff_page(*NOTICES, notice_id="notice_id"),
    # Audit log: staff pages; the checkpoint and key are public.
    "audit:overview": staff_page("auditor", "administrator"),
    "audit:sign-checkpoint": staff_page("auditor", "administrator", method="POST"),
    "audit:checkpoint-text": public(),
    "audit:verifier-key-text": public(),
    # Transparency: the report is public; the quarterly draft is for staff.
    "transparency:report": public(),
    "transparency:report-csv": public(),
    # The full report adds counts from restricted audit entries: staff only.
    "transparency:full-report": staff_page(
        "approver", "auditor", "administrator", "counsel"
    ),
    "transparency:full-report-csv": staff_page(
        "approver", "auditor", "administrator", "counsel"
    ),
    "transparency:quarterly": staff_page(
        "approver", "auditor", "administrator", "counsel"
    ),
    "transparency:quarterly-quarter": staff_page(
        "approver", "auditor", "administrator", "counsel", quarter="quarter"
    ),
    "transparency:quarterly-sign": staff_page(
        "approver", method="POST", quarter="quarter"
    ),
    # Public, but no quarter has been signed off in this world: 404 for everyone.
    "transparency:quarterly-pdf": public(outcome=HIDDEN, quarter="quarter"),
    # The API's own pages; its operations are in API below.
    "api:openapi-json": public(),
    "api:api-root": public(outcome=HIDDEN),
    # Django's admin: behind the second-factor admin site; none of these personas is
    # Django staff, so every admin URL ends on its log-in page.
    "admin:*": admin_route(),
}

# Admin URL kwargs (the admin has no objects of ours; any value does).
ADMIN_KWARGS = {
    "object_id": "1",
    "pk": "1",
    "id": "1",
    "content_type_id": "1",
    "app_label": "auth",
    "url": "nothing-here/",
}

# OpenAPI operations: "METHOD /path" -> outcomes. Requesters call with their agency
# system's token (and their portal session); staff with their session, which is what
# the review endpoints take.
TOKEN_API = {
    **{p: UNAUTH for p in PERSONAS},
    "requester_police": OK,
    "requester_ice": OK,
    "requester_worker": OK,
}
TOKEN_OWN = {**TOKEN_API, "requester_ice": HIDDEN, "requester_worker": HIDDEN}
TOKEN_AGENCY = {**TOKEN_API, "requester_worker": HIDDEN}


def session_api(*allowed) -> dict:
    return {
        **{p: DENY for p in PERSONAS},
        **{p: OK for p in allowed},
        "anonymous": UNAUTH,
    }


PUBLIC_API = {p: OK for p in PERSONAS}

API: dict[str, dict] = {
    "POST /api/v1/requests": TOKEN_API,
    "GET /api/v1/requests": TOKEN_API,
    "GET /api/v1/requests/{ref}": TOKEN_OWN,
    "POST /api/v1/requests/{ref}/documents": TOKEN_OWN,
    "GET /api/v1/review/requests/{reference}": session_api(*CASEWORK),
    "POST /api/v1/review/requests/{reference}/screen": session_api(*CASEWORK),
    "POST /api/v1/review/requests/{reference}/start": session_api(*DECIDERS),
    "POST /api/v1/review/requests/{reference}/decide": session_api(
        "reviewer", "counsel"
    ),
    # The body asks to sign as approver: only an approver may.
    "POST /api/v1/review/decisions/{decision_id}/sign": session_api("approver"),
    "POST /api/v1/review/decisions/{decision_id}/return": session_api(*NOTICES),
    "GET /api/v1/disclosures": TOKEN_AGENCY,
    "GET /api/v1/disclosures/{package_id}": TOKEN_OWN,
    "POST /api/v1/disclosures/{package_id}/download": TOKEN_OWN,
    "GET /api/v1/audit/checkpoint": PUBLIC_API,
    "GET /api/v1/audit/tree": PUBLIC_API,
    "GET /api/v1/audit/proof/inclusion": PUBLIC_API,
    "GET /api/v1/audit/proof/consistency": PUBLIC_API,
    "GET /api/v1/audit/entries": PUBLIC_API,
    # Restricted entries' text: auditors and administrators (second factor) only.
    "GET /api/v1/audit/entries/full": session_api("auditor", "administrator"),
}
API_QUERY = {
    "/api/v1/audit/proof/inclusion": "?index=0",
    "/api/v1/audit/proof/consistency": "?first=1",
    "/api/v1/audit/entries": "?start=0&end=2",
    "/api/v1/audit/entries/full": "?start=0&end=2",
    "/api/v1/disclosures/{package_id}/download": "?format=json",
}


def api_path(template: str, world) -> str:
    """Documents and review moves act on the request still being received; reads on
    the released one."""
    values = {
        "ref": world.open_reference
        if template.endswith("/documents")
        else world.reference,
        "reference": world.open_reference,
        "decision_id": world.decision_id,
        "package_id": world.package_id,
    }
    path = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), template)
    return path + API_QUERY.get(template, "")


# --- Walking the URL configuration -------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # namespace:name, or the route text when unnamed
    route: str
    pattern: object
    prefix: str


def walk(patterns=None, prefix: str = "", namespace: str = ""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(x for x in (namespace, p.namespace) if x)
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            name = f"{namespace}:{p.name}" if p.name else route
            yield Route(name, route, p, prefix)


def is_api_operation(route: Route) -> bool:
    return route.key.startswith("api:") and route.key not in PAGES


def rule_for(route: Route) -> Rule | None:
    if route.key in PAGES:
        return PAGES[route.key]
    if route.key.startswith("admin:") or route.route.startswith("django-admin/"):
        return PAGES["admin:*"]
    return None


def url_for(route: Route, rule: Rule, world, **override) -> str:
    """Fill the route's parameters: from the world (``attr``), a literal (``=value``),
    ``override`` (kwarg -> raw text), or for the admin any placeholder."""
    values = {}
    for kwarg, source in (rule.kwargs or {}).items():
        values[kwarg] = source[1:] if source.startswith("=") else getattr(world, source)
    values.update(override)

    def fill(match):
        name = match.group("name")
        if name in values:
            return str(values[name])
        return ADMIN_KWARGS[name]

    path = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", fill, route.route)
    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", fill, path)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    if "(" in path or "<" in path:
        raise AssertionError(f"could not fill {route.route}")
    return "/" + path


# --- Personas and calls --------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_and_unlimited(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.RATE_LIMITS = {k: (100_000, 60) for k in settings.RATE_LIMITS}


@pytest.fixture
def cast(request, client_for):
    """persona -> (Client, bearer token or None); plus the unverified staff member."""
    from conftest import make_staff
    from recordwarden.accounts.services import api_token_create

    users = {p: request.getfixturevalue(p) for p in PERSONAS if p != "anonymous"}
    clients = {}
    for persona, user in users.items():
        token = None
        if persona in REQUESTERS:
            _, token = api_token_create(actor="system:test", requester=user, name="sys")
            client = client_for(user.user)
        else:
            client = client_for(user)
        clients[persona] = (client, token)
    clients["anonymous"] = (Client(), None)
    unverified = make_staff("unverified", *STAFF)
    plain = Client()
    plain.force_login(unverified)  # password only: no device verified in the session
    clients["unverified"] = (plain, None)
    return users, clients


def call(client, method: str, url: str, token=None, **extra):
    """One request inside a rolled-back savepoint; the client's cookies are kept (a
    log-out must not sign the persona out for the next row)."""
    cookies = copy.deepcopy(client.cookies)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    with transaction.atomic():
        response = getattr(client, method.lower())(url, **headers, **extra)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def classify(response, method: str) -> str:
    status = response.status_code
    location = response.get("Location", "")
    if status in (301, 302, 303) and location.startswith("/accounts/login/"):
        return LOGIN
    if status == 403:
        return DENY
    if status == 404:
        return HIDDEN
    if status == 401:
        return UNAUTH
    if status >= 500 or status == 405:
        return f"status {status}"
    if method == "GET" and not (200 <= status < 400):
        return f"status {status}"
    return OK


def admin_outcome(client, url: str) -> str:
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        response = client.get(url, follow=True)
        transaction.set_rollback(True)
    client.cookies = cookies
    final = response.request["PATH_INFO"]
    if response.status_code == 200 and final == "/django-admin/login/":
        return ADMIN
    return f"status {response.status_code} at {final}"


def header_problems(response, personal: bool) -> list[str]:
    """The strict policy (or a stricter sandbox for downloaded files) on every
    response; no caching of anything shown to a signed-in person on a non-public
    page."""
    problems = []
    csp = response.get("Content-Security-Policy", "")
    if csp != CONTENT_SECURITY_POLICY and not (
        csp.startswith("sandbox") and "default-src 'none'" in csp
    ):
        problems.append("Content-Security-Policy")
    for name, value in (
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", PERMISSIONS_POLICY),
    ):
        if response.get(name) != value:
            problems.append(name)
    if personal and "no-store" not in response.get("Cache-Control", ""):
        problems.append("Cache-Control: no-store")
    return problems


def is_public(rule: Rule) -> bool:
    return rule.outcomes["anonymous"] not in (LOGIN, UNAUTH)


def expected_for(outcomes: dict, persona: str) -> str:
    return outcomes["outsider" if persona == "unverified" else persona]


# --- Tests ---------------------------------------------------------------------------------


def test_every_route_has_a_rule_and_every_rule_a_route():
    routes = [r for r in walk() if not is_api_operation(r)]
    missing = sorted(r.key for r in routes if rule_for(r) is None)
    assert not missing, f"routes without a row in PAGES: {missing}"
    keys = {r.key for r in routes}
    stale = sorted(k for k in PAGES if k != "admin:*" and k not in keys)
    assert not stale, f"rows in PAGES for routes that no longer exist: {stale}"


def test_every_api_operation_has_a_rule_and_every_rule_an_operation():
    from recordwarden.api import api

    schema = api.get_openapi_schema()
    ops = {
        f"{m.upper()} {path}" for path, item in schema["paths"].items() for m in item
    }
    assert not sorted(ops - set(API)), "operations without a row in API"
    assert not sorted(set(API) - ops), "rows in API for operations that do not exist"


def test_the_matrix_holds_for_every_page_and_persona(cast, tmp_path):
    users, clients = cast
    world = build_world(users, tmp_path)
    failures = []
    for route in walk():
        if is_api_operation(route):
            continue
        rule = rule_for(route)
        if rule is None:  # reported by test_every_route_has_a_rule_...
            failures.append(f"no rule for {route.key}")
            continue
        url = url_for(route, rule, world)
        for persona, (client, _token) in clients.items():
            expected = expected_for(rule.outcomes, persona)
            if expected == ADMIN:
                got = admin_outcome(client, url)
                if got != expected:
                    failures.append(f"{persona:17} GET {url}: {got}")
                continue
            response = call(client, rule.method, url)
            got = classify(response, rule.method)
            if got != expected:
                failures.append(
                    f"{persona:17} {rule.method} {url}: expected {expected}, got {got}"
                )
            personal = persona != "anonymous" and not is_public(rule)
            for problem in header_problems(response, personal):
                failures.append(f"{persona:17} {rule.method} {url}: header {problem}")
    assert not failures, "\n".join(failures)


def _api_body(key: str, world) -> dict:
    """A valid body per operation, so that whoever is let in gets past validation."""
    body = {
        "POST /api/v1/requests": {
            "content_type": "application/json",
            "data": {
                "instrument": "judicial_warrant",
                "case_number": "26-1",
                "purpose": "criminal_investigation",
                "elements": ["employer"],
                "subjects": [{"first_name": "Ana", "last_name": "Ruiz"}],
            },
        },
        "POST /api/v1/requests/{ref}/documents": {"data": {"files": None}},
        "POST /api/v1/review/requests/{reference}/decide": {
            "content_type": "application/json",
            "data": {"kind": "deny", "reason_codes": ["no_legal_basis"]},
        },
        "POST /api/v1/review/decisions/{decision_id}/sign": {
            "content_type": "application/json",
            "data": {"role": "approver"},
        },
        "POST /api/v1/review/decisions/{decision_id}/return": {
            "content_type": "application/json",
            "data": {"reason": "Check the dates."},
        },
    }.get(key, {})
    if key.endswith("/documents"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        body = {"data": {"files": [SimpleUploadedFile("warrant.pdf", PDF)]}}
    return body


def test_the_matrix_holds_for_every_api_operation_and_persona(cast, tmp_path):
    users, clients = cast
    world = build_world(users, tmp_path)
    failures = []
    for key, outcomes in API.items():
        method, template = key.split(" ", 1)
        path = api_path(template, world)
        for persona, (client, token) in clients.items():
            expected = expected_for(outcomes, persona)
            response = call(client, method, path, token, **_api_body(key, world))
            got = classify(response, method)
            if got != expected:
                failures.append(
                    f"{persona:17} {key}: expected {expected}, got {got} "
                    f"{response.content[:200]!r}"
                )
            if response.status_code >= 400:
                if not response["Content-Type"].startswith("application/problem+json"):
                    failures.append(f"{persona:17} {key}: error is not problem+json")
    assert not failures, "\n".join(failures)


# Another agency's object and an object that does not exist get the same answer.
HIDDEN_ROUTES = {
    "intake:confirmation": ("GET", "/portal/submitted/{}/", "reference"),
    "intake:request_detail": ("GET", "/portal/requests/{}/", "reference"),
    "disclosure:link_issue": ("POST", "/disclosure/packages/{}/link", "package_id"),
    "api:get_request": ("GET", "/api/v1/requests/{}", "reference"),
    "api:get_package": ("GET", "/api/v1/disclosures/{}", "package_id"),
    "api:download_package": ("POST", "/api/v1/disclosures/{}/download", "package_id"),
}
MISSING = {"reference": "RW-2026-999999", "package_id": str(uuid.UUID(int=7))}


def _scrub(content: bytes) -> bytes:
    """Pages differ by the signed-in name and the CSRF token, not by the answer."""
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
    return re.sub(
        rb"(officer|ice-analyst|R\. Delgado|Officer Dana Whitehorse)", b"", content
    )


def test_another_agencys_object_looks_exactly_like_a_missing_one(cast, tmp_path):
    users, clients = cast
    world = build_world(users, tmp_path)
    police_client, police_token = clients["requester_police"]
    ice_client, ice_token = clients["requester_ice"]
    for key, (method, template, attr) in HIDDEN_ROUTES.items():
        theirs = call(
            ice_client, method, template.format(getattr(world, attr)), ice_token
        )
        missing = call(
            police_client, method, template.format(MISSING[attr]), police_token
        )
        assert theirs.status_code == missing.status_code == 404, key
        assert _scrub(theirs.content) == _scrub(missing.content), key
        assert theirs["Content-Type"] == missing["Content-Type"], key


def test_made_up_and_hostile_ids_get_a_plain_answer_never_a_server_error(
    cast, tmp_path
):
    """Each id in each address, replaced by one that does not exist or is hostile, as
    someone the page is for: a GET is the plain 404; a POST is refused as not found, or
    as an invalid form when the form is checked first (400) — never a 500."""
    users, clients = cast
    world = build_world(users, tmp_path)
    hostile = ["RW-2099-000001", "999999", "..%2F..%2Fetc", "x" * 300, "%00", "ñ"]
    failures = []
    for route in walk():
        rule = rule_for(route)
        if is_api_operation(route) or rule is None or not rule.kwargs:
            continue
        if route.key.startswith("admin:") or route.key == "disclosure:download":
            continue
        allowed = next((p for p, o in rule.outcomes.items() if o == OK), None)
        if allowed is None:
            continue
        client, _ = clients[allowed]
        accepted = {404} if rule.method == "GET" else {400, 404}
        for kwarg, source in rule.kwargs.items():
            if source.startswith("="):
                continue
            for value in hostile:
                url = url_for(route, rule, world, **{kwarg: value})
                response = call(client, rule.method, url)
                if response.status_code not in accepted:
                    failures.append(
                        f"{allowed} {rule.method} {url[:90]}: {response.status_code}"
                    )
    assert not failures, "\n".join(failures)


def test_a_superuser_with_a_password_alone_does_not_reach_the_admin(db):
    """Django's admin is the one door that does not go through role_required: it asks
    for a verified second factor itself (OTPAdminSite)."""
    from django.contrib.auth import get_user_model
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    boss = get_user_model().objects.create_superuser("root", password="x" * 16)
    device = TOTPDevice.objects.create(user=boss, name="phone", confirmed=True)
    client = Client()
    client.force_login(boss)
    response = client.get("/django-admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/django-admin/login/")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert client.get("/django-admin/").status_code == 200


def _strict(client) -> Client:
    """The same signed-in person, in a client that does not skip CSRF checks."""
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = copy.deepcopy(client.cookies)
    return strict


def test_every_form_post_is_refused_without_a_csrf_token(cast, tmp_path):
    """Every route, posted to by someone it lets in (or by anyone, if public), without
    the CSRF token: Django's CSRF check refuses it before the view runs. The staff
    API endpoints, which take the session cookie, refuse it too; the token
    endpoints take no cookie, so a forged cross-site post carries no credential."""
    users, clients = cast
    world = build_world(users, tmp_path)
    failures = []
    for route in walk():
        rule = rule_for(route)
        if rule is None or is_api_operation(route):
            continue
        allowed = next((p for p, o in rule.outcomes.items() if o == OK), "anonymous")
        url = url_for(route, rule, world)
        response = call(_strict(clients[allowed][0]), "POST", url)
        if response.status_code != 403 or b"CSRF" not in response.content:
            failures.append(f"{allowed} POST {url}: {response.status_code}")
    for key, outcomes in API.items():
        method, template = key.split(" ", 1)
        if method != "POST" or "review" not in template:
            continue
        allowed = next(p for p, o in outcomes.items() if o == OK)
        response = call(_strict(clients[allowed][0]), "POST", api_path(template, world))
        if response.status_code != 403 or b"CSRF" not in response.content:
            failures.append(f"{allowed} {key}: {response.status_code}")
    assert not failures, "\n".join(failures)
