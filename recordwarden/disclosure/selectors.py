"""Reads of the disclosure app, narrowed to what the actor may see. ``get_*_for`` raise
the same NotFound for a missing object and for one that is not the actor's."""

from __future__ import annotations

import re
import uuid

from django.utils import timezone

from recordwarden.core.exceptions import NotFound

from .models import AccountingSuspension, DisclosurePackage, Notice, NoticeDelay
from .notices import overdue
from .permissions import (
    can_manage_notices,
    can_view_accounting,
    can_view_package_record,
    packages_visible_to_requester,
)

# Request references are letters, digits and dashes (RW-2026-000123); anything else is
# no reference at all (and never reaches the database).
_REFERENCE = re.compile(r"[A-Za-z0-9-]{1,20}")


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def packages_for_requester(requester):
    return (
        DisclosurePackage.objects.filter(packages_visible_to_requester(requester))
        .select_related("request")
        .order_by("-built_at", "-id")
    )


def package_get_for_requester(requester, public_id) -> DisclosurePackage:
    key = _uuid(public_id)
    package = (
        packages_for_requester(requester).filter(public_id=key).first() if key else None
    )
    if package is None:
        raise NotFound("No such package.")
    return package


def packages_for_staff(actor):
    if not can_view_package_record(actor):
        return DisclosurePackage.objects.none()
    return DisclosurePackage.objects.select_related("request", "recipient_agency")


def package_get_for_staff(actor, public_id) -> DisclosurePackage:
    key = _uuid(public_id)
    package = packages_for_staff(actor).filter(public_id=key).first() if key else None
    if package is None:
        raise NotFound("No such package.")
    return package


def request_get_for_staff(actor, reference: str):
    """A case, by its reference, for staff who may read accounting or manage notices."""
    from recordwarden.intake.models import Request

    if not (can_view_accounting(actor) or can_manage_notices(actor)):
        raise NotFound("No such request.")
    if not isinstance(reference, str) or not _REFERENCE.fullmatch(reference):
        raise NotFound("No such request.")
    request = (
        Request.objects.select_related("agency", "requester")
        .filter(reference=reference)
        .first()
    )
    if request is None:
        raise NotFound("No such request.")
    return request


def suspensions_for(actor, request=None):
    if not can_view_accounting(actor):
        return AccountingSuspension.objects.none()
    rows = AccountingSuspension.objects.select_related(
        "request", "agency", "recorded_by"
    )
    return rows.filter(request=request) if request is not None else rows


def notices_for(actor):
    if not can_manage_notices(actor):
        return Notice.objects.none()
    return Notice.objects.select_related("request__agency", "worker")


def notice_get_for(actor, pk) -> Notice:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound("No such notice.") from None
    notice = notices_for(actor).filter(pk=key).first()
    if notice is None:
        raise NotFound("No such notice.")
    return notice


def notice_board_for(actor, today=None) -> dict:
    """The approver's page: overdue first, then held, delayed, upcoming, recently sent."""
    today = today or timezone.localdate()
    rows = notices_for(actor)
    outstanding = rows.filter(sent_at__isnull=True, cancelled_at__isnull=True)
    late_ids = set(overdue(today).values_list("pk", flat=True))
    return {
        "today": today,
        "overdue": [
            n for n in outstanding.order_by("due_on", "pk") if n.pk in late_ids
        ],
        "held": list(outstanding.filter(held=True).exclude(pk__in=late_ids)),
        "delayed": list(
            outstanding.filter(held=False, delayed_until__gte=today).exclude(
                pk__in=late_ids
            )
        ),
        "upcoming": list(
            outstanding.filter(held=False)
            .exclude(delayed_until__gte=today)
            .exclude(pk__in=late_ids)
            .order_by("due_on", "pk")
        ),
        "sent": list(rows.filter(sent_at__isnull=False).order_by("-sent_at")[:50]),
        "delays": list(
            NoticeDelay.objects.select_related("request").order_by("-recorded_at")[:50]
        )
        if can_manage_notices(actor)
        else [],
    }
