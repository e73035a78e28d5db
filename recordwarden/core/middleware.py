"""Security headers that Django's SecurityMiddleware does not set."""

from django.conf import settings

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


class RequestSizeLimitMiddleware:
    """Refuse a body larger than REQUEST_MAX_BYTES before anything reads it.

    Django limits form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams uploaded files
    to temporary files whatever their size, and the CSRF check reads a multipart body
    before any view or permission check runs: without this, anyone holding a CSRF
    cookie could fill the disk. The limit is several documents' worth
    (UPLOAD_MAX_BYTES each); put the same limit in the reverse proxy in front."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            return self._too_large(request)
        return self.get_response(request)

    @staticmethod
    def _too_large(request):
        from django.http import JsonResponse
        from django.shortcuts import render

        megabytes = settings.REQUEST_MAX_BYTES // 1048576
        message = (
            f"What was sent is larger than {megabytes} MB, more than this service "
            f"takes at once. Send documents of at most "
            f"{settings.UPLOAD_MAX_BYTES // 1048576} MB each, a few at a time."
        )
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {
                    "type": "about:blank",
                    "title": "Request body too large",
                    "status": 413,
                    "detail": message,
                },
                status=413,
                content_type="application/problem+json",
            )
        return render(
            request,
            "core/error.html",
            {"title": "That was too large to send", "message": message},
            status=413,
        )
