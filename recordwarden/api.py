"""The JSON API (django-ninja). Errors are RFC 9457 problem details naming the field."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import OperationalError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from recordwarden.core.exceptions import Conflict, Forbidden, NotFound

# Every operation may answer with these (the handlers below, the rate limit): the
# OpenAPI document says so, each as problem details.
ERRORS = {
    400: "The body could not be read",
    401: "Missing or invalid credentials",
    403: "Not allowed for your role",
    404: "Not found, or not visible to you",
    409: "Conflict with the current state",
    413: "Request body too large",
    422: "The request is not valid",
    429: "Too many requests; retry after Retry-After seconds",
    503: "The database is busy; retry after Retry-After seconds",
}
PROBLEM_SCHEMA = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                },
                "required": ["field", "message"],
            },
        },
    },
    "required": ["type", "title", "status"],
}


def document_problems(schema: dict) -> dict:
    """Document every error response as application/problem+json with the shared
    Problem schema, and the errors every operation may give (``ERRORS``)."""
    schema.setdefault("components", {}).setdefault("schemas", {})["ProblemDetails"] = (
        PROBLEM_SCHEMA
    )
    ref = {"$ref": "#/components/schemas/ProblemDetails"}
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                if status == 401 and not operation.get("security"):
                    continue
                responses.setdefault(str(status), {"description": description})
            for status, response in responses.items():
                if int(status) >= 400:
                    response["content"] = {PROBLEM: {"schema": ref}}
            for status in ("429", "503"):
                responses[status]["headers"] = {
                    "Retry-After": {
                        "description": "Seconds to wait before retrying.",
                        "schema": {"type": "string"},
                    }
                }
    return schema


class RecordwardenAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return document_problems(super().get_openapi_schema(*args, **kwargs))


api = RecordwardenAPI(
    title="Recordwarden API",
    version="1",
    description=(
        "Requests for workforce-agency records, case by case. Authenticate with "
        "`Authorization: Bearer <token>` issued to your agency."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    # No interactive docs page: ninja's loads Swagger UI and an inline script from a
    # third-party CDN, which the CSP blocks (a blank page) and which should never run on
    # this origin anyway. The OpenAPI document is the reference; docs/intake.md explains.
    docs_url=None,
)

PROBLEM = "application/problem+json"
errors_log = logging.getLogger("django.request")


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
@api.exception_handler(PermissionDenied)
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


@api.exception_handler(OperationalError)
def _busy(request, exc):
    """The database could not take the call now (SQLite's writer lock held past the
    busy timeout, a lost connection): nothing was stored, so say when to retry."""
    errors_log.warning("API call refused, database busy: %s", exc)
    response = problem(
        request,
        503,
        "Service busy",
        "The database is busy. Nothing from this call was stored; retry after "
        "Retry-After seconds (with the same Idempotency-Key).",
    )
    response["Retry-After"] = "2"
    return response


@api.exception_handler(Exception)
def _server_error(request, exc):
    """Any other failure: logged with its traceback, answered as problem details
    (not the HTML error page) so that a client can read it."""
    errors_log.error(
        "API server error: %s %s", request.method, request.path, exc_info=exc
    )
    return problem(
        request,
        500,
        "Server error",
        "Something went wrong on our side. Nothing from this call was stored unless "
        "a retry with the same Idempotency-Key says so.",
    )


@api.exception_handler(HttpError)
def _http_error(request, exc):
    detail = ""
    if exc.status_code == 400:
        detail = (
            "The body is not valid for its Content-Type: send JSON as UTF-8 with "
            "'Content-Type: application/json', files as multipart/form-data."
        )
    return problem(request, exc.status_code, str(exc) or "Error", detail)


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
