"""Fixed-window rate limits on Django's cache.

Written here rather than taken from django-ratelimit to keep one small function that both
the views and the API use, with the plain-language 429 page and problem+json the project
already has. The cache is file-based by default (shared by all worker processes of one
host); set CACHE_LOCATION to a shared directory, or CACHE_BACKEND for another backend.

Three scopes (settings.RATE_LIMITS, each ``(count, seconds)``):
- ``login``: log-in posts per address (the ``rate_limited`` decorator on the view; the
  per-account lockout is separate, in accounts.services).
- ``portal``: form posts under /portal/ and the download-link posts, per signed-in person
  (or per address).
- ``api``: every call under /api/, per bearer token (a token is one agency system), else
  per signed-in person, else per address.
"""

from __future__ import annotations

import hashlib
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render

API_PREFIX = "/api/"
PORTAL_PREFIX = "/portal/"
TOO_MANY = "Too many requests"


def client_key(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{request.META.get('REMOTE_ADDR', '')}"


def api_key(request) -> str:
    """The bearer token (hashed: the clear token never reaches the cache), else the
    person or address."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        digest = hashlib.sha256(token.strip().encode()).hexdigest()[:32]
        return f"token:{digest}"
    return client_key(request)


def hit(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one hit; True while the caller is within ``limit`` per ``window`` seconds."""
    bucket = int(time.time() // window)
    name = f"rl:{scope}:{key}:{bucket}"
    if cache.add(name, 1, timeout=window + 1):
        return True
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.add(name, 1, timeout=window + 1)
        return True
    return count <= limit


def retry_after(window: int) -> int:
    """Seconds until the current fixed window ends (at least one)."""
    return max(1, int(window - time.time() % window))


def too_many_page(request, window: int):
    response = render(
        request,
        "core/error.html",
        {
            "title": "Too many attempts",
            "message": "Please wait a minute and try again. Nothing you "
            "sent before was lost.",
        },
        status=429,
    )
    response["Retry-After"] = str(retry_after(window))
    return response


def too_many_problem(window: int):
    wait = retry_after(window)
    response = JsonResponse(
        {
            "type": "about:blank",
            "title": TOO_MANY,
            "status": 429,
            "detail": f"This token made too many calls. Wait {wait} seconds and "
            "retry; a retry with the same Idempotency-Key is safe.",
        },
        status=429,
        content_type="application/problem+json",
    )
    response["Retry-After"] = str(wait)
    return response


def rate_limited(scope: str, *, methods=("POST",)):
    """View decorator: limits from settings.RATE_LIMITS[scope] = (count, seconds)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            limit, window = settings.RATE_LIMITS[scope]
            if request.method in methods and not hit(
                scope, client_key(request), limit=limit, window=window
            ):
                return too_many_page(request, window)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


class RateLimitMiddleware:
    """The ``api`` limit on every API call and the ``portal`` limit on portal form
    posts, so that a new endpoint or form is covered without anyone remembering to
    decorate it. Sits after the authentication middleware (keys use the person)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(API_PREFIX):
            limit, window = settings.RATE_LIMITS["api"]
            if not hit("api", api_key(request), limit=limit, window=window):
                return too_many_problem(window)
        elif path.startswith(PORTAL_PREFIX) and request.method == "POST":
            limit, window = settings.RATE_LIMITS["portal"]
            if not hit("portal", client_key(request), limit=limit, window=window):
                return too_many_page(request, window)
        return self.get_response(request)
