from django.contrib.auth import authenticate, login, logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token

from . import services
from .forms import LoginForm
from .permissions import is_staff_member

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
