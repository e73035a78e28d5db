"""Staff page of the audit log (every entry in full, restricted ones marked), and the
public checkpoint and verifier key files."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from recordwarden.accounts.constants import Role
from recordwarden.accounts.permissions import role_required

from . import selectors, visibility
from .checkpoints import CheckpointRefused, checkpoint_sign

STAFF_ROLES = (Role.AUDITOR, Role.ADMINISTRATOR)


def _text(body: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        body, content_type="text/plain; charset=utf-8", status=status
    )
    response["Cache-Control"] = "no-cache"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
@role_required(*STAFF_ROLES)
def overview(request):
    checkpoint = selectors.checkpoint_latest()
    context = {
        "checkpoint": checkpoint,
        "checkpoint_root": (
            selectors.b64(bytes.fromhex(checkpoint.root_hash)) if checkpoint else ""
        ),
        "size": selectors.tree_size(),
        "verifier_key": selectors.verifier_key_text(),
        "entries": [
            (entry, visibility.is_public(entry.action))
            for entry in selectors.recent_entries(50)
        ],
    }
    return render(request, "audit/overview.html", context)


@require_POST
@role_required(*STAFF_ROLES)
def sign_checkpoint(request):
    try:
        checkpoint = checkpoint_sign(actor=request.user)
    except CheckpointRefused as exc:
        messages.error(request, f"Checkpoint refused: {exc}")
    else:
        messages.success(request, f"Checkpoint at size {checkpoint.size} is signed.")
    return redirect("audit:overview")


@require_GET
def checkpoint_text(request):
    """The latest signed checkpoint, public: keep copies to verify the log later."""
    checkpoint = selectors.checkpoint_latest()
    if checkpoint is None:
        return _text("No checkpoint has been signed yet.\n", status=404)
    return _text(checkpoint.note)


@require_GET
def verifier_key_text(request):
    return _text(selectors.verifier_key_text() + "\n")
