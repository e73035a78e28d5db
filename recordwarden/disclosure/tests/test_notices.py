"""Notices to workers: owed for immigration-agency requests, due on the third business
day, only to a confirmed worker, delayed by a judge's order, sent exactly once."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from recordwarden.audit import actions as audit_actions
from recordwarden.disclosure import constants as c
from recordwarden.disclosure.models import Notice, NoticeDelay
from recordwarden.disclosure.notices import (
    base_due_on,
    notice_delay_record,
    notice_pdf,
    notice_send,
    notices_schedule,
    notices_send_due,
)

from .conftest import GARCIA, KELLER, PERIOD, audit_entries, pdf_pages

pytestmark = pytest.mark.django_db
DENVER = ZoneInfo("America/Denver")
# The day before Thanksgiving 2025: Thursday and Friday are state holidays in New Mexico.
WEDNESDAY_BEFORE_THANKSGIVING = dt.datetime(2025, 11, 26, 10, 0, tzinfo=DENVER)


@pytest.fixture
def ice_request(submit, requester_ice, workers_on_file):
    def _make(person=GARCIA, **extra):
        return submit(
            requester_ice,
            instrument="administrative_subpoena",
            purpose="civil_immigration",
            elements=["employer", "address"],
            subjects=[person],
            purpose_text="Administrative subpoena, Form I-138.",
            **{**PERIOD, **extra},
        )

    return _make


def _at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_an_immigration_request_owes_its_confirmed_worker_a_notice_on_the_third_business_day(
    ice_request, workers_on_file
):
    with _at(WEDNESDAY_BEFORE_THANKSGIVING):
        request = ice_request()
    scan_time = WEDNESDAY_BEFORE_THANKSGIVING + dt.timedelta(hours=1)
    (notice,) = notices_schedule(actor="system:test", now=scan_time)
    assert notice.worker == workers_on_file["Garcia"]
    assert notice.request == request
    # Thu 27 and Fri 28 are holidays: Mon 1, Tue 2, Wed 3 December.
    assert notice.due_on == dt.date(2025, 12, 3)
    (entry,) = audit_entries(c.NOTICE_SCHEDULED, notice)
    assert entry.data["due_on"] == "2025-12-03"
    assert notices_schedule(actor="system:test", now=scan_time) == []  # idempotent
    assert Notice.objects.count() == 1


def test_due_dates_count_business_days_from_the_day_received():
    request = mock.Mock(received_at=dt.datetime(2026, 1, 16, 23, 30, tzinfo=DENVER))
    assert base_due_on(request) == dt.date(2026, 1, 22)  # Mon 19 is MLK Day
    request.received_at = dt.datetime(
        2026, 1, 17, 6, 0, tzinfo=dt.UTC
    )  # Fri 23:00 local
    assert base_due_on(request) == dt.date(2026, 1, 22)


def test_no_notice_for_a_police_request(police_request):
    assert notices_schedule(actor="system:test") == []


def test_no_notice_to_an_unconfirmed_candidate_until_a_reviewer_confirms(
    ice_request, workers_on_file, reviewer
):
    from recordwarden.matching.models import SubjectMatch
    from recordwarden.matching.services import match_confirm, match_reject

    request = ice_request()
    match = SubjectMatch.objects.get(subject__request=request)
    match_reject(actor=reviewer, subject_match=match)
    assert notices_schedule(actor="system:test") == []
    match_confirm(actor=reviewer, subject_match=match, worker=workers_on_file["Garcia"])
    (notice,) = notices_schedule(actor="system:test")
    assert notice.worker == workers_on_file["Garcia"]


def test_a_notice_is_sent_once_with_the_workers_address_on_file(
    ice_request, workers_on_file, tmp_path
):
    request = ice_request()
    first = notices_send_due(actor="system:test")
    assert first["scheduled"] == 1 and first["sent"] == 1
    assert notices_send_due(actor="system:test")["sent"] == 0
    notice = Notice.objects.get()
    assert notice.sent_at is not None and notice.status == "sent"
    (sent,) = audit_entries(c.NOTICE_SENT, notice)
    assert sent.data["sha256"] == notice.sha256
    text = " ".join(" ".join(pdf_pages(notice_pdf(notice), tmp_path)).split())
    assert "Rosa M Garcia" in text
    assert "409 Avenida de Mesilla" in text and "Las Cruces, NM 88005" in text
    assert "U.S. Immigration and Customs Enforcement" in text
    assert request.reference in text
    # A racing sender holding the same row gets nothing.
    stale = Notice.objects.get(pk=notice.pk)
    stale.sent_at = None
    assert notice_send(actor="system:other", notice=stale) is False
    assert len(audit_entries(c.NOTICE_SENT, notice)) == 1


def test_a_judges_order_delays_the_notice_until_it_ends(ice_request, counsel):
    request = ice_request()
    notices_schedule(actor="system:test")
    ends = timezone.localdate() + dt.timedelta(days=20)
    delay = notice_delay_record(
        actor=counsel,
        request=request,
        order_reference="No. 2:26-mj-00412",
        court="U.S. District Court, D.N.M., Judge R. Vigil",
        ends_on=ends,
    )
    notice = Notice.objects.get()
    assert notice.delayed_until == ends and notice.status == "delayed"
    from recordwarden.core.clock import add_business_days

    assert notice.due_on == add_business_days(ends, 1)
    (entry,) = audit_entries(c.NOTICE_DELAYED, request)
    assert entry.data["delay"] == delay.pk and entry.data["notices"] == 1
    assert notices_send_due(actor="system:test")["sent"] == 0
    on_end = timezone.make_aware(dt.datetime.combine(ends, dt.time(12)))
    assert notices_send_due(actor="system:test", now=on_end)["sent"] == 0
    after = on_end + dt.timedelta(days=1)
    assert notices_send_due(actor="system:test", now=after)["sent"] == 1


def test_a_request_flagged_with_a_delay_order_holds_its_notice_until_recorded(
    ice_request, approver
):
    request = ice_request(notice_delay_order=True)
    (notice,) = notices_schedule(actor="system:test")
    assert notice.held and notice.status == "held"
    assert notices_send_due(actor="system:test")["sent"] == 0
    notice_delay_record(
        actor=approver,
        request=request,
        order_reference="Order 7",
        court="Third Judicial District",
        ends_on=timezone.localdate() + dt.timedelta(days=5),
    )
    notice.refresh_from_db()
    assert not notice.held and notice.status == "delayed"


def test_a_match_rejected_before_sending_cancels_the_notice(ice_request, reviewer):
    from recordwarden.matching.models import SubjectMatch
    from recordwarden.matching.services import match_reject

    request = ice_request()
    (notice,) = notices_schedule(actor="system:test")
    match_reject(
        actor=reviewer, subject_match=SubjectMatch.objects.get(subject__request=request)
    )
    assert notices_send_due(actor="system:test")["sent"] == 0
    notice.refresh_from_db()
    assert notice.cancelled_at is not None and notice.status == "cancelled"
    assert audit_entries(c.NOTICE_CANCELLED, notice)


def test_overdue_notices_stand_out_on_the_approvers_page(
    ice_request, approver, client_for, workers_on_file
):
    from recordwarden.records.models import Worker

    with _at(timezone.now() - dt.timedelta(days=14)):
        ice_request()
    # No address on file: the notice cannot go out and becomes overdue.
    Worker.objects.filter(pk=workers_on_file["Garcia"].pk).update(street="", city="")
    assert notices_send_due(actor="system:test")["overdue"] == 1
    page = client_for(approver).get("/disclosure/notices/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="overdue-alert"' in text and "1 notice overdue" in text
    assert "no address on file" in text


def test_the_approver_runs_the_notices_and_opens_one(ice_request, approver, client_for):
    from recordwarden.audit.models import AuditEntry

    ice_request()
    client = client_for(approver)
    assert client.post("/disclosure/notices/run").status_code == 302
    notice = Notice.objects.get()
    assert notice.sent_at is not None
    response = client.get(f"/disclosure/notices/{notice.pk}.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    read = AuditEntry.objects.get(
        action=audit_actions.RECORD_READ, actor=f"user:{approver.pk}"
    )
    assert read.data["what"] == "notice"


def test_who_may_see_notices(
    ice_request, client_for, reviewer, requester_ice, counsel, approver
):
    ice_request()
    notices_send_due(actor="system:test")
    notice = Notice.objects.get()
    for user in (reviewer, requester_ice):
        client = client_for(user)
        assert client.get("/disclosure/notices/").status_code == 403
        assert client.get(f"/disclosure/notices/{notice.pk}.pdf").status_code == 403
    for user in (counsel, approver):
        assert client_for(user).get("/disclosure/notices/").status_code == 200
    for bad in ("999999", "abc", "1%00", "-1"):
        assert (
            client_for(approver).get(f"/disclosure/notices/{bad}.pdf").status_code
            == 404
        )


@pytest.mark.parametrize(
    "data, field",
    [
        ({"order_reference": "", "court": "c", "ends_on": "+20"}, "order_reference"),
        (
            {"order_reference": "o\r\nBcc: x", "court": "c", "ends_on": "+20"},
            "order_reference",
        ),
        ({"order_reference": "o", "court": "c" * 201, "ends_on": "+20"}, "court"),
        ({"order_reference": "o", "court": "c", "ends_on": "2020-02-30"}, "ends_on"),
        ({"order_reference": "o", "court": "c", "ends_on": "<script>"}, "ends_on"),
        ({"order_reference": "o", "court": "c", "ends_on": "-1"}, "ends_on"),
    ],
)
def test_the_delay_form_refuses_bad_input(
    data, field, ice_request, approver, client_for
):
    request = ice_request()
    if data["ends_on"].startswith(("+", "-")):
        days = int(data["ends_on"])
        data = {
            **data,
            "ends_on": (timezone.localdate() + dt.timedelta(days=days)).isoformat(),
        }
    response = client_for(approver).post(
        f"/disclosure/cases/{request.reference}/notice-delay/", data
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not NoticeDelay.objects.exists()


def test_send_notices_command_and_task(ice_request):
    from recordwarden.disclosure.tasks import send_notices_task

    ice_request()
    out = io.StringIO()
    call_command("send_notices", stdout=out)
    assert "1 notice(s) scheduled, 1 sent" in out.getvalue()
    assert send_notices_task.call() == {"scheduled": 0, "sent": 0, "overdue": 0}
    queued = io.StringIO()
    call_command("send_notices", "--queue", stdout=queued)
    assert "Queued task" in queued.getvalue()


def test_a_released_immigration_request_schedules_its_notice_at_release(
    submit, requester_ice, workers_on_file, release
):
    """A judge's warrant for a criminal case from an immigration agency may be released;
    the notice is owed all the same."""
    request = submit(
        requester_ice,
        instrument="judicial_warrant",
        case_number="CR-26-118",
        purpose="criminal_investigation",
        elements=["employer", "wages"],
        instrument_subject_count=1,
        subjects=[KELLER],
        purpose_text="Human smuggling investigation; warrant attached.",
        **PERIOD,
    )
    decision = release(request, {"employer": "approve", "wages": "approve"})
    assert decision.package
    (notice,) = Notice.objects.filter(request=request)
    assert notice.worker == workers_on_file["Keller"]


def test_the_scan_follows_recent_activity_and_catches_a_late_confirmation(
    ice_request, workers_on_file, reviewer, settings
):
    """An old request whose subject was never confirmed is outside the scan; when a
    reviewer confirms the subject today, the scan finds it, and the notice is overdue
    (it was owed three business days after the request arrived)."""
    from recordwarden.matching.models import SubjectMatch
    from recordwarden.matching.services import match_confirm, match_reject

    settings.NOTICE_SCAN_DAYS = 30
    long_ago = timezone.now() - dt.timedelta(days=60)
    with _at(long_ago):
        request = ice_request()
        match = SubjectMatch.objects.get(subject__request=request)
        match_reject(actor=reviewer, subject_match=match)
    assert notices_schedule(actor="system:test") == []
    match_confirm(actor=reviewer, subject_match=match, worker=workers_on_file["Garcia"])
    (notice,) = notices_schedule(actor="system:test")
    assert notice.due_on < timezone.localdate()
    from recordwarden.disclosure.notices import overdue

    assert list(overdue(timezone.localdate())) == [notice]
