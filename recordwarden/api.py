"""The JSON API (django-ninja). Errors are RFC 9457 problem details naming the field."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from recordwarden.core.exceptions import Conflict, Forbidden, NotFound

api = NinjaAPI(
    title="Recordwarden API",
    version="1",
    description=(
        "Requests for workforce-agency records, case by case. Authenticate with "
        "`Authorization: Bearer <token>` issued to your agency."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)

PROBLEM = "application/problem+json"


def problem(request, status: int, title: str, detail: str = "", errors=None):
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    return response


def _field(loc) -> str:
    parts = [
        str(p) for p in loc if p not in ("body", "payload", "query", "path", "header")
    ]
    return ".".join(parts) or "body"


@api.exception_handler(NinjaValidationError)
def _validation(request, exc):
    errors = [
        {"field": _field(e.get("loc", [])), "message": e.get("msg", "invalid")}
        for e in exc.errors
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(request, 422, "The request is not valid", detail, errors)


@api.exception_handler(AuthenticationError)
def _auth(request, exc):
    return problem(
        request,
        401,
        "Authentication required",
        "Send a valid token as 'Authorization: Bearer <token>'.",
    )


@api.exception_handler(NotFound)
@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem(request, 404, "Not found", "No such resource is visible to you.")


@api.exception_handler(Forbidden)
def _forbidden(request, exc):
    return problem(request, 403, "Forbidden", str(exc))


@api.exception_handler(Conflict)
def _conflict(request, exc):
    return problem(request, 409, "Conflict", str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_large(request, exc):
    return problem(
        request,
        413,
        "Request body too large",
        "The body is larger than this API accepts. Send documents as multipart "
        "uploads to their own endpoint.",
    )


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return problem(request, exc.status_code, str(exc) or "Error")


def _register_routers() -> None:
    """Each app with an ``api.py`` defining ``router`` adds it under /api/v1/."""
    from importlib import import_module

    for app in (
        "intake",
        "policy",
        "matching",
        "review",
        "disclosure",
        "audit",
        "transparency",
    ):
        try:
            module = import_module(f"recordwarden.{app}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"recordwarden.{app}.api":
                raise
            continue
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(f"/v1/{getattr(module, 'PREFIX', app)}", router)


_register_routers()
