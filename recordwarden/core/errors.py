"""Plain-language error pages."""

from django.shortcuts import render


def _page(request, status, title, message):
    return render(
        request,
        "core/error.html",
        {"title": title, "message": message, "status": status},
        status=status,
    )


def bad_request(request, exception=None):
    return _page(
        request,
        400,
        "We could not read that request",
        "Something in what was sent was not valid. Go back and try again.",
    )


def forbidden(request, exception=None):
    return _page(
        request,
        403,
        "You do not have access to this page",
        "Your account does not include this page. If you think it should, "
        "ask an administrator.",
    )


def not_found(request, exception=None):
    return _page(
        request,
        404,
        "Page not found",
        "There is no page at this address, or you do not have access to it.",
    )


def server_error(request):
    return _page(
        request,
        500,
        "Something went wrong on our side",
        "Nothing you sent was lost. Try again in a few minutes.",
    )
