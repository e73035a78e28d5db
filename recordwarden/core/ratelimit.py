"""Fixed-window rate limits on Django's cache.

Written here rather than taken from django-ratelimit to keep one small function that both
the views and the API use, with the plain-language 429 page and problem+json the project
already has. The cache is file-based by default (shared by all worker processes of one
host); set CACHE_LOCATION to a shared directory, or CACHE_BACKEND for another backend.
"""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render


def client_key(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{request.META.get('REMOTE_ADDR', '')}"


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


def rate_limited(scope: str, *, methods=("POST",)):
    """View decorator: limits from settings.RATE_LIMITS[scope] = (count, seconds)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            limit, window = settings.RATE_LIMITS[scope]
            if request.method in methods and not hit(
                scope, client_key(request), limit=limit, window=window
            ):
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
                response["Retry-After"] = str(window)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
