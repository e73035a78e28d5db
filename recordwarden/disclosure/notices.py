"""Notices to workers that someone asked for records about them.

When the policy calls for notice (``policy.engine.notice_required``; the baseline: any
request from an immigration agency, whatever the decision), each worker confirmed as a
subject of the request gets a notice, due NOTICE_BUSINESS_DAYS business days after the
request arrived, at their address on file. A subject with no confirmed worker gets
nothing (never a candidate's address); the scan comes back to it once one is confirmed.

``notices_schedule`` is idempotent (one notice per request and worker, enforced by the
database) and runs: from ``package_build``; at the start of every ``send_notices`` run
(command and background task), which is how notices for requests that are never
released are found; and from the notices page. A judge's order delays the notices of a
request until its end date; a request flagged at intake as carrying such an order holds
its notices until the order's details are recorded. ``notices_send_due`` renders each
sendable notice to PDF and marks it sent by compare-and-set, so it is sent once.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from recordwarden.accounts.constants import AgencyType
from recordwarden.audit.services import actor_ref, audit_record
from recordwarden.core import crypto
from recordwarden.core.clock import add_business_days
from recordwarden.core.exceptions import Forbidden
from recordwarden.intake.constants import OUTWARD_STATUS, Purpose
from recordwarden.records.catalogue import ELEMENTS

from . import constants as c
from .constants import NoticeReason
from .models import Notice, NoticeDelay
from .permissions import can_manage_notices

log = logging.getLogger("recordwarden.disclosure")


def notice_required(request) -> bool:
    """Whether the policy calls for notice to the workers named in ``request``. A delay
    order does not change whether notice is owed, only when: it is handled here by
    NoticeDelay, so the policy is asked with the order set aside."""
    try:
        from recordwarden.policy.engine import notice_required as policy_notice
        from recordwarden.policy.facts import facts_for_request
    except ImportError:  # the policy app is not installed: the baseline rule
        return _baseline_rule(request)
    facts = facts_for_request(request, subject_identified=True)
    return policy_notice(dataclasses.replace(facts, notice_delay_order=False))


def _baseline_rule(request) -> bool:
    agency_type = request.agency.type if request.agency else ""
    return (
        agency_type == AgencyType.IMMIGRATION_ENFORCEMENT
        or request.purpose == Purpose.CIVIL_IMMIGRATION
    )


def base_due_on(request) -> dt.date:
    received = timezone.localtime(request.received_at).date()
    return add_business_days(received, c.NOTICE_BUSINESS_DAYS)


def due_after_delay(base: dt.date, delayed_until: dt.date | None) -> dt.date:
    """Without a delay, the base due date; with one, the first business day after the
    order ends (if that is later)."""
    if delayed_until is None:
        return base
    return max(base, add_business_days(delayed_until, 1))


def _delay_for(request) -> dt.date | None:
    latest = NoticeDelay.objects.filter(request=request).order_by("-ends_on").first()
    return latest.ends_on if latest else None


def _candidate_requests(now=None):
    """Requests that may owe a new notice: received, or with a subject matched or
    confirmed, within the last NOTICE_SCAN_DAYS, and with fewer notices than subjects.
    The window follows activity, not age: a subject confirmed today on an old request
    is in it. (Asking the policy about every request ever made would not scale.)"""
    from recordwarden.intake.models import Request

    now = now or timezone.now()
    since = now - dt.timedelta(days=scan_days())
    recent = Request.objects.filter(
        Q(received_at__gte=since)
        | Q(subjects__match__resolved_at__gte=since)
        | Q(subjects__match__confirmed_at__gte=since)
    ).values("pk")
    return (
        Request.objects.filter(pk__in=recent)
        .select_related("agency")
        .annotate(
            n_subjects=Count("subjects", distinct=True),
            n_notices=Count("notices", distinct=True),
        )
        .filter(n_notices__lt=F("n_subjects"))
        .order_by("received_at", "pk")
    )


def scan_days() -> int:
    return int(getattr(settings, "NOTICE_SCAN_DAYS", c.NOTICE_SCAN_DAYS))


def notices_schedule(*, actor, request=None, now=None) -> list[Notice]:
    """Create the notices owed for ``request`` (or for every request that may owe one,
    see _candidate_requests). Idempotent. Returns the notices created now."""
    requests = [request] if request is not None else _candidate_requests(now)
    created: list[Notice] = []
    for item in requests:
        if not item.subjects.exists() or not notice_required(item):
            continue
        created.extend(_schedule_for(actor, item))
    _hold_flagged(actor)
    return created


def _schedule_for(actor, request) -> list[Notice]:
    from .snapshot import confirmed_workers

    delayed_until = _delay_for(request)
    base = base_due_on(request)
    have = set(
        Notice.objects.filter(request=request).values_list("worker_id", flat=True)
    )
    created = []
    for subject, worker in confirmed_workers(request):
        if worker.pk in have:
            continue
        notice = Notice(
            request=request,
            subject=subject,
            worker=worker,
            reason=NoticeReason.IMMIGRATION_REQUEST,
            scheduled_at=timezone.now(),
            scheduled_by=actor_ref(actor),
            due_on=due_after_delay(base, delayed_until),
            delayed_until=delayed_until,
            held=bool(request.notice_delay_order) and delayed_until is None,
        )
        try:
            with transaction.atomic():
                notice.full_clean(validate_unique=False, validate_constraints=False)
                notice.save()
                audit_record(
                    actor=actor,
                    action=c.NOTICE_SCHEDULED,
                    target=notice,
                    data={
                        "request": request.pk,
                        "due_on": notice.due_on,
                        "held": notice.held,
                    },
                )
        except IntegrityError:  # another scan created it first
            continue
        created.append(notice)
    return created


def _hold_flagged(actor) -> None:
    """A request flagged (after its notices were scheduled) as carrying a delay order
    holds its unsent notices until the order is recorded."""
    flagged = Notice.objects.filter(
        sent_at__isnull=True,
        cancelled_at__isnull=True,
        held=False,
        delayed_until__isnull=True,
        request__notice_delay_order=True,
    )
    for notice in flagged:
        with transaction.atomic():
            if Notice.objects.filter(
                pk=notice.pk, held=False, sent_at__isnull=True
            ).update(held=True):
                audit_record(
                    actor=actor,
                    action=c.NOTICE_DELAYED,
                    target=notice,
                    data={"request": notice.request_id, "held": True},
                )


@transaction.atomic
def notice_delay_record(
    *, actor, request, order_reference: str, court: str, ends_on: dt.date
) -> NoticeDelay:
    """Record a judge's order delaying notice to the workers named in ``request`` until
    ``ends_on``; their unsent notices wait until then (a longer order extends it)."""
    if not can_manage_notices(actor):
        raise Forbidden("Only counsel or an approver records a court order.")
    if ends_on <= timezone.localdate():
        raise ValidationError({"ends_on": "The end date must be after today."})
    delay = NoticeDelay(
        request=request,
        order_reference=order_reference.strip(),
        court=court.strip(),
        ends_on=ends_on,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    delay.full_clean()
    delay.save()
    until = _delay_for(request)
    base = base_due_on(request)
    outstanding = Notice.objects.filter(
        request=request, sent_at__isnull=True, cancelled_at__isnull=True
    )
    count = outstanding.update(
        delayed_until=until, due_on=due_after_delay(base, until), held=False
    )
    audit_record(
        actor=actor,
        action=c.NOTICE_DELAYED,
        target=request,
        data={"delay": delay.pk, "ends_on": ends_on, "notices": count},
    )
    return delay


def sendable(today: dt.date):
    return Notice.objects.filter(
        Q(delayed_until__isnull=True) | Q(delayed_until__lt=today),
        sent_at__isnull=True,
        cancelled_at__isnull=True,
        held=False,
    )


def overdue(today: dt.date):
    return Notice.objects.filter(
        sent_at__isnull=True, cancelled_at__isnull=True, due_on__lt=today
    )


def _render(notice: Notice, now) -> bytes:
    from .pdf import NOTICE_TEMPLATE, address_lines, render_pdf

    request = notice.request
    labels = [ELEMENTS[k].label for k in request.elements or [] if k in ELEMENTS]
    agency = request.agency.name if request.agency else request.claimed_agency
    return render_pdf(
        NOTICE_TEMPLATE,
        {
            "notice_ref": f"N{notice.pk}",
            "request": request,
            "worker_name": notice.worker.full_name,
            "address": address_lines(notice.worker),
            "agency_name": agency or "An outside agency",
            "received_on": timezone.localtime(request.received_at).date(),
            "elements": labels or ["Not stated"],
            "outcome": OUTWARD_STATUS.get(request.status, "Under review"),
            "sent_on": timezone.localtime(now).date(),
        },
    )


def _cancel(actor, notice: Notice, reason: str, now) -> None:
    with transaction.atomic():
        if Notice.objects.filter(
            pk=notice.pk, sent_at__isnull=True, cancelled_at__isnull=True
        ).update(cancelled_at=now, cancel_reason=reason):
            audit_record(
                actor=actor,
                action=c.NOTICE_CANCELLED,
                target=notice,
                data={"request": notice.request_id, "reason": reason},
            )


def notice_send(*, actor, notice: Notice, now=None) -> bool:
    """Render one notice and mark it sent, once. Returns True if this call sent it.

    The worker must still be the subject's confirmed worker (else the notice is
    cancelled) and have an address on file (else it stays outstanding and shows on the
    approver's page)."""
    from .snapshot import confirmed_workers

    now = now or timezone.now()
    confirmed = {w.pk for _s, w in confirmed_workers(notice.request)}
    if notice.worker_id not in confirmed:
        _cancel(actor, notice, "the subject is no longer confirmed as this worker", now)
        return False
    if not notice.has_address:
        return False
    pdf = _render(notice, now)
    digest = hashlib.sha256(pdf).hexdigest()
    sealed = crypto.encrypt(
        base64.b64encode(pdf).decode(), context=f"disclosure.notice:{notice.pk}"
    )
    with transaction.atomic():
        sent = Notice.objects.filter(
            Q(delayed_until__isnull=True)
            | Q(delayed_until__lt=timezone.localtime(now).date()),
            pk=notice.pk,
            sent_at__isnull=True,
            cancelled_at__isnull=True,
            held=False,
        ).update(
            sent_at=now, sent_by=actor_ref(actor), pdf_encrypted=sealed, sha256=digest
        )
        if not sent:
            return False
        audit_record(
            actor=actor,
            action=c.NOTICE_SENT,
            target=notice,
            data={
                "request": notice.request_id,
                "sha256": digest,
                "due_on": notice.due_on,
            },
        )
    return True


def notices_send_due(*, actor, now=None) -> dict[str, int]:
    """Schedule what is owed, then send every notice that may go out today."""
    now = now or timezone.now()
    scheduled = notices_schedule(actor=actor, now=now)
    today = timezone.localtime(now).date()
    sent = 0
    for notice in sendable(today).select_related("request__agency", "worker"):
        try:
            sent += notice_send(actor=actor, notice=notice, now=now)
        except Exception:  # one bad notice must not stop the others
            log.exception("notice %s could not be sent", notice.pk)
    return {
        "scheduled": len(scheduled),
        "sent": sent,
        "overdue": overdue(today).count(),
    }


def notice_pdf(notice: Notice) -> bytes:
    if not notice.pdf_encrypted:
        return b""
    return base64.b64decode(
        crypto.decrypt(notice.pdf_encrypted, context=f"disclosure.notice:{notice.pk}")
    )
