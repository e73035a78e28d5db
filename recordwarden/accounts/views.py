from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token

from recordwarden.core.ratelimit import rate_limited

from . import services
from .constants import Role
from .forms import ApiTokenForm, LoginForm
from .permissions import (
    is_staff_member,
    requester_of,
    requester_required,
    role_required,
)
from .selectors import agency_list_for, api_tokens_for

LOCKED = (
    "This account is locked for a while after too many failed attempts. "
    "Try again later or ask an administrator."
)
BAD_LOGIN = "That username and password do not match an account."
NEED_CODE = "Staff accounts need the six-digit code from your authenticator app."
BAD_CODE = "That code is not right or has expired. Enter the current code."


def _client_ip(request):
    return request.META.get("REMOTE_ADDR")


def _safe_next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "core:home"


@require_http_methods(["GET", "POST"])
@rate_limited("login")
def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        if services.login_is_locked(username):
            form.add_error(None, LOCKED)
        else:
            user = authenticate(
                request, username=username, password=form.cleaned_data["password"]
            )
            device, error = _second_factor(user, form.cleaned_data["otp_token"])
            if user is None or error == BAD_CODE:
                locked = services.login_failure_record(
                    username=username, ip=_client_ip(request)
                )
                form.add_error(None, LOCKED if locked else (error or BAD_LOGIN))
            elif error:
                form.add_error("otp_token", error)
            else:
                services.login_failures_clear(username=username)
                login(request, user)
                if device is not None:
                    otp_login(request, device)
                return redirect(_safe_next(request))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=status,
    )


def _second_factor(user, token: str):
    """Staff must present a valid code; returns (device, error message)."""
    if user is None or not is_staff_member(user):
        return None, None
    if not token:
        return None, NEED_CODE
    device = match_token(user, token)
    if device is None:
        return None, BAD_CODE
    return device, None


@require_POST
def logout_view(request):
    logout(request)
    return redirect("core:home")


@role_required(Role.ADMINISTRATOR)
def agency_list(request):
    return render(
        request,
        "accounts/agency_list.html",
        {"agencies": agency_list_for(request.user)},
    )


@requester_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """A requester at an agency issues and revokes tokens for their agency's systems."""
    requester = requester_of(request.user)
    if requester.agency is None:
        raise PermissionDenied
    form = ApiTokenForm(request.POST or None)
    clear = None
    if request.method == "POST" and "revoke" in request.POST:
        token = api_tokens_for(requester).filter(pk=request.POST.get("revoke")).first()
        if token is None:
            raise Http404
        services.api_token_revoke(actor=request.user, token=token)
        messages.success(request, f"Token {token.prefix}… revoked.")
        return redirect("accounts:api_tokens")
    if request.method == "POST" and form.is_valid():
        _, clear = services.api_token_create(
            actor=request.user, requester=requester, name=form.cleaned_data["name"]
        )
        form = ApiTokenForm()
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": api_tokens_for(requester), "clear": clear},
        status=400 if request.method == "POST" and form.errors else 200,
    )
