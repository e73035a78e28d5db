"""Call-backs, identity checks and the 24-hour re-review: tasks people complete.

A call-back goes to the agency's number on file, never to a number in the request: the
clerk picks the agency from the registry, the number dialled is copied from the registry
by this service, and the clerk records who answered and whether they confirmed the ask.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from recordwarden.accounts.constants import Role
from recordwarden.accounts.models import Agency
from recordwarden.audit.services import audit_record
from recordwarden.core.exceptions import Conflict
from recordwarden.intake.models import Request

from . import constants as c
from .constants import CALLBACK_KINDS, EventKind, TaskKind
from .models import Task
from .permissions import CALLBACK_ROLES, require
from .services import event_add


def _close_task(task: Task, *, actor, **fields) -> None:
    updated = Task.objects.filter(pk=task.pk, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=actor, **fields
    )
    if updated == 0:
        raise Conflict("Someone completed this task first. Reload the page.")
    task.refresh_from_db()


@transaction.atomic
def callback_record(
    *,
    actor,
    task: Task,
    agency: Agency,
    answered_by: str,
    confirmed: bool,
    notes: str = "",
) -> Task:
    """Record a call-back to ``agency``'s number on file. If the agency confirms an
    emergency, the request's emergency is verified; the request is screened again."""
    require(actor, *CALLBACK_ROLES, message="A clerk or reviewer records call-backs.")
    if task.kind not in CALLBACK_KINDS:
        raise ValidationError({"task": "This task is not a call-back."})
    if not agency.phone_on_file:
        raise ValidationError({"agency": "That agency has no number on file to call."})
    answered_by = (answered_by or "").strip()
    if not answered_by:
        raise ValidationError({"answered_by": "Record the name of who answered."})
    _close_task(
        task,
        actor=actor,
        agency_called=agency,
        phone_called=agency.phone_on_file,
        answered_by=answered_by[:200],
        confirmed=bool(confirmed),
        notes=notes[:2000],
    )
    request = task.request
    if confirmed and task.kind == TaskKind.EMERGENCY_CALLBACK:
        Request.objects.filter(
            pk=request.pk, emergency_verified_at__isnull=True
        ).update(emergency_verified_at=timezone.now())
    event_add(
        request=request,
        kind=EventKind.CALLBACK,
        actor=actor,
        data={
            "task": task.pk,
            "agency": agency.key,
            "phone": agency.phone_on_file,
            "answered_by": answered_by[:200],
            "confirmed": bool(confirmed),
        },
    )
    audit_record(
        actor=actor,
        action=c.CALLBACK_RECORDED,
        target=request,
        data={
            "task": task.pk,
            "kind": task.kind,
            "agency": agency.key,
            "agency_number_on_file": agency.phone_on_file,
            "confirmed": bool(confirmed),
        },
    )
    _rescreen(actor, request)
    return task


@transaction.atomic
def task_complete(*, actor, task: Task, confirmed: bool, notes: str) -> Task:
    """Complete an identity check or a 24-hour re-review, with what was found."""
    if task.kind in CALLBACK_KINDS:
        raise ValidationError({"task": "Record a call-back with who answered."})
    roles = (
        (Role.INTAKE_CLERK, Role.REVIEWER)
        if task.kind == TaskKind.IDENTITY_CHECK
        else (Role.REVIEWER, Role.COUNSEL, Role.APPROVER)
    )
    require(actor, *roles)
    if not (notes or "").strip():
        raise ValidationError({"notes": "Say what was checked and what was found."})
    _close_task(
        task, actor=actor, confirmed=bool(confirmed), notes=notes.strip()[:2000]
    )
    event_add(
        request=task.request,
        kind=EventKind.TASK_DONE,
        actor=actor,
        data={"task": task.pk, "kind": task.kind, "confirmed": bool(confirmed)},
    )
    audit_record(
        actor=actor,
        action=c.TASK_COMPLETED,
        target=task.request,
        data={"task": task.pk, "kind": task.kind, "confirmed": bool(confirmed)},
    )
    if task.kind == TaskKind.IDENTITY_CHECK:
        _rescreen(actor, task.request)
    return task


def _rescreen(actor, request) -> None:
    from .screening import screening_run

    screening_run(actor=actor, request=request)
