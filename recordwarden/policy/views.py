"""Staff pages: the policy versions, the active rules with citations, preview and
activation of a new version."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from recordwarden.accounts.permissions import role_required
from recordwarden.core.exceptions import Forbidden

from . import engine, services, verify
from .forms import PolicyVersionForm
from .permissions import (
    ACTIVATE_ROLES,
    VIEW_ROLES,
    can_activate_policy,
    policy_versions_visible_to,
)
from .whatif import whatif


def _page(request, form, *, preview=None, status=200):
    versions = policy_versions_visible_to(request.user).order_by("-activated_at")
    active = next((v for v in versions if v.active), None)
    disk_text, disk_schema = engine.read_policy_files()
    disk_version = engine.policy_version_hash(disk_text, disk_schema)
    try:
        rules = engine.active_policy().rules
        load_error = ""
    except Exception as exc:  # shown to staff; decisions fail closed meanwhile
        rules, load_error = (), str(exc)
    context = {
        "versions": versions,
        "active": active,
        "rules": rules,
        "load_error": load_error,
        "disk_version": disk_version,
        "disk_differs": active is not None and active.sha256 != disk_version,
        "form": form,
        "preview": preview,
        "can_activate": can_activate_policy(request.user),
    }
    return render(request, "policy/home.html", context, status=status)


@require_GET
@role_required(*VIEW_ROLES)
def policy_home(request):
    active = policy_versions_visible_to(request.user).filter(active=True).first()
    if active is not None:
        initial = {"text": active.text, "schema": active.schema}
    else:
        text, schema = engine.read_policy_files()
        initial = {"text": text, "schema": schema}
    return _page(request, PolicyVersionForm(initial=initial))


@require_POST
@role_required(*VIEW_ROLES)
def policy_preview(request):
    """Load a proposed version, run the exhaustive check and the what-if over history."""
    form = PolicyVersionForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        candidate = engine.load_policy_text(
            form.cleaned_data["text"], form.cleaned_data["schema"]
        )
    except engine.PolicyError as exc:
        for problem in exc.problems:
            form.add_error("text", problem)
        return _page(request, form, status=400)
    preview = {
        "version": candidate.version,
        "rules": candidate.rules,
        "report": verify.check(candidate),
        "whatif": whatif(candidate),
    }
    return _page(request, form, preview=preview)


@require_POST
@role_required(*ACTIVATE_ROLES)
def policy_activate(request):
    form = PolicyVersionForm(request.POST)
    if form.is_valid():
        try:
            version = services.policy_version_activate(
                actor=request.user,
                text=form.cleaned_data["text"],
                schema=form.cleaned_data["schema"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            for field_name, errors in exc.message_dict.items():
                form.add_error(
                    field_name if field_name in form.fields else None, errors
                )
        except Forbidden as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Policy version {version.short} is now active.")
            return redirect("policy:home")
    return _page(request, form, status=400)


@require_GET
@role_required(*VIEW_ROLES)
def policy_version_detail(request, sha256: str):
    version = policy_versions_visible_to(request.user).filter(sha256=sha256).first()
    if version is None:
        raise Http404
    try:
        rules = engine.load_policy_text(version.text, version.schema).rules
        load_error = ""
    except engine.PolicyError as exc:
        rules, load_error = (), str(exc)
    return render(
        request,
        "policy/version.html",
        {"version": version, "rules": rules, "load_error": load_error},
    )
