"""Security headers that Django's SecurityMiddleware does not set, and the limits on
what a request may carry (size, NUL characters) checked before anything reads it."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = getattr(settings, "CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.csp)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if request.user.is_authenticated if hasattr(request, "user") else False:
            response.setdefault("Cache-Control", "no-store")
        return response


class RequestLimitsMiddleware:
    """Refuse, before anything reads them, a body larger than REQUEST_MAX_BYTES and
    text carrying NUL characters.

    Size: Django limits form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams uploaded
    files to temporary files whatever their size, and the CSRF check reads a multipart
    body before any view or permission check runs: without this, anyone holding a CSRF
    cookie could fill the disk. The limit is several documents' worth (UPLOAD_MAX_BYTES
    each); put the same limit in the reverse proxy in front.

    NUL: PostgreSQL cannot store or even compare text with a NUL character, so an id
    like ``%00`` in an address, or ``\\u0000`` in a JSON field, was a server error there
    (and stored silently on SQLite). No name, reference or note contains one. Django's
    form fields already refuse them; this covers addresses, query strings and the
    API's JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            return self._too_large(request)
        if "\x00" in request.path:  # no page or object is named so: not found
            if request.path_info.startswith(API_PREFIX):
                return self._refuse(
                    request, 404, "Not found", "No such resource is visible to you."
                )
            from .errors import not_found

            return not_found(request)
        if "%00" in request.META.get("QUERY_STRING", ""):
            return self._refuse(
                request,
                400,
                "That address is not valid",
                "The address contains a character (NUL) that no page uses.",
            )
        if request.path_info.startswith(API_PREFIX) and _json_with_nul(request):
            return self._refuse(
                request,
                422,
                "The request is not valid",
                "Text fields cannot contain the NUL character (\\u0000).",
            )
        return self.get_response(request)

    def _too_large(self, request):
        megabytes = settings.REQUEST_MAX_BYTES // 1048576
        return self._refuse(
            request,
            413,
            "Request body too large",
            f"What was sent is larger than {megabytes} MB, more than this service "
            f"takes at once. Send documents of at most "
            f"{settings.UPLOAD_MAX_BYTES // 1048576} MB each, a few at a time.",
        )

    @staticmethod
    def _refuse(request, status: int, title: str, message: str):
        from django.http import JsonResponse
        from django.shortcuts import render

        if request.path_info.startswith(API_PREFIX):
            body = {"type": "about:blank", "title": title, "status": status}
            return JsonResponse(
                {**body, "detail": message},
                status=status,
                content_type="application/problem+json",
            )
        return render(
            request,
            "core/error.html",
            {"title": title, "message": message},
            status=status,
        )


API_PREFIX = "/api/"


def _json_with_nul(request) -> bool:
    if "json" not in request.META.get("CONTENT_TYPE", ""):
        return False
    try:
        body = request.body  # the API reads it anyway; kept for the view
    except RequestDataTooBig:
        return False  # the API answers that itself (413 problem)
    # A raw NUL byte is not JSON at all: the API answers that itself (400 problem).
    return b"\\u0000" in body.lower()
