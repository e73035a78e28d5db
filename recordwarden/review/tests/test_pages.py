"""The queue and the case page: who may see them (allowed, denied, not in the list), what
they show, and that the queue's cost does not grow with the number of requests."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recordwarden.review import permissions, services
from recordwarden.review.letters import letters_dispatch
from recordwarden.review.models import Decision

pytestmark = pytest.mark.django_db

CASEWORK = ["intake_clerk", "reviewer", "counsel", "approver"]


@pytest.fixture
def founding(agencies, ingest, reviewer):
    """01 denied, then 02 re-sent to another inbox: the founding case."""
    request = ingest("01-direct-access.eml", inbox="records@dws.example.nm.gov").request
    services.review_start(actor=reviewer, request=request)
    services.review_decide(
        actor=reviewer,
        request=request,
        kind="deny",
        reason_codes=["bulk_or_standing_access"],
    )
    letters_dispatch()  # the outbox issues and sends the denial letter
    ingest("02-re-ask-other-staff.eml", inbox="k.tafoya@dws.example.nm.gov")
    return request


@pytest.mark.parametrize("role", CASEWORK)
def test_casework_staff_see_the_queue_and_the_case(role, request, client_for, founding):
    user = request.getfixturevalue(role)
    client = client_for(user)
    assert client.get("/review/").status_code == 200
    assert client.get(f"/review/{founding.reference}/").status_code == 200


@pytest.mark.parametrize("role", ["auditor", "administrator", "requester_ice"])
def test_other_roles_are_refused(role, request, client_for, founding):
    client = client_for(request.getfixturevalue(role))
    assert client.get("/review/").status_code == 403
    assert client.get(f"/review/{founding.reference}/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, founding):
    response = client.get("/review/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_without_the_second_factor_are_refused(client, reviewer, founding):
    client.force_login(reviewer)
    assert client.get("/review/").status_code == 403


def test_an_unknown_reference_is_a_plain_404(client_for, reviewer):
    assert client_for(reviewer).get("/review/RW-2026-999999/").status_code == 404


def test_permission_helpers_allow_deny_and_know_nothing_of_outsiders(
    reviewer, counsel, approver, intake_clerk, auditor, outsider, police_request
):
    assert permissions.can_view_queue(reviewer) and permissions.can_view_queue(
        intake_clerk
    )
    assert not permissions.can_view_queue(auditor)
    assert not permissions.can_view_queue(outsider)
    assert not permissions.can_view_queue("anonymous")
    services.review_start(actor=reviewer, request=police_request)
    assert permissions.can_decide_request(reviewer, police_request)
    assert permissions.can_decide_request(counsel, police_request)
    assert not permissions.can_decide_request(approver, police_request)
    assert not permissions.can_decide_request(outsider, police_request)
    decision = services.review_decide(
        actor=reviewer,
        request=police_request,
        kind="release",
        elements={"employer": {"action": "approve"}},
    )
    assert permissions.can_sign_decision(approver, decision)
    assert not permissions.can_sign_decision(reviewer, decision)  # not an approver
    assert not permissions.can_sign_decision(intake_clerk, decision)
    assert not permissions.can_sign_decision(outsider, decision)
    assert permissions.requests_visible_to(outsider).count() == 0
    assert permissions.requests_visible_to(intake_clerk).count() == 1


def test_the_case_page_shows_everything_at_once(client_for, approver, founding):
    page = client_for(approver).get(f"/review/{founding.reference}/").content.decode()
    banner = page.index('id="re-ask-banner"')
    assert banner < page.index('id="flags"')  # the re-ask is at the top
    assert f"#decision-{Decision.objects.get(request=founding).pk}" in page
    for flag in (
        "bulk_or_standing_access",
        "no_named_subject",
        "re_ask_after_denial",
        "multiple_inboxes",
    ):
        assert flag in page
    assert "Reached 2 staff inboxes" in page
    assert (
        "k.tafoya@dws.example.nm.gov" in page and "records@dws.example.nm.gov" in page
    )
    assert "guard.bulk-or-standing-access" in page or "asks for access" in page
    assert 'id="timeline"' in page and "Asked again after a denial" in page
    assert 'id="letter-denial"' in page


def test_opening_a_case_is_logged_as_a_read_inside_it(client_for, reviewer, founding):
    from recordwarden.audit.models import AuditEntry

    client_for(reviewer).get(f"/review/{founding.reference}/")
    entry = AuditEntry.objects.filter(action="audit.record_read").last()
    assert entry.data["what"] == "case_page"


def test_the_approver_sees_the_re_ask_notification_and_can_mark_it_read(
    client_for, approver, reviewer, founding
):
    client = client_for(approver)
    page = client.get("/review/").content.decode()
    assert 'id="notifications"' in page and founding.reference in page
    from recordwarden.review.models import Notification

    note = Notification.objects.get(kind="re_ask_after_denial")
    assert (
        "re_ask_after_denial"
        not in client_for(reviewer).get("/review/").content.decode()
    )
    assert client.post(f"/review/notifications/{note.pk}/read").status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None and note.read_by == approver


def test_a_reviewer_denies_from_the_page_and_gets_the_letter(
    client_for, reviewer, police_request
):
    client = client_for(reviewer)
    url = f"/review/{police_request.reference}"
    assert client.post(f"{url}/start").status_code == 302
    response = client.post(
        f"{url}/decide",
        {
            "kind": "deny",
            "reason_codes": ["no_legal_basis"],
            "reasons": "",
        },
    )
    assert response.status_code == 302
    police_request.refresh_from_db()
    assert police_request.status == "denied"
    letter = police_request.letters.get()
    pdf = client.get(f"{url}/letters/{letter.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_a_stale_decision_from_the_page_is_a_409(
    client_for, reviewer, second_reviewer, police_request
):
    services.review_start(actor=reviewer, request=police_request)
    services.review_decide(
        actor=reviewer,
        request=police_request,
        kind="deny",
        reason_codes=["no_legal_basis"],
    )
    response = client_for(second_reviewer).post(
        f"/review/{police_request.reference}/decide",
        {"kind": "deny", "reason_codes": ["other"], "reasons": "late"},
    )
    assert response.status_code == 409


def test_the_queue_shows_overdue_first_and_pages(
    client_for, intake_clerk, police_request, csed_request
):
    from django.utils import timezone

    from recordwarden.review.models import Review

    Review.objects.filter(request=csed_request).update(
        due_at=timezone.now() - timezone.timedelta(days=1)
    )
    page = client_for(intake_clerk).get("/review/").content.decode()
    assert page.index(csed_request.reference) < page.index(police_request.reference)
    assert "Overdue" in page
    closed = client_for(intake_clerk).get("/review/?status=closed").content.decode()
    assert csed_request.reference not in closed


def test_the_queue_costs_the_same_number_of_queries_for_more_requests(
    client_for, reviewer, submit, requester_police, police_request
):
    client = client_for(reviewer)
    client.get("/review/")
    with CaptureQueriesContext(connection) as few:
        client.get("/review/")
    for n in range(5):
        submit(
            requester_police,
            instrument="judicial_warrant",
            case_number=f"N-{n}",
            purpose="criminal_investigation",
            elements=["employer"],
            subjects=[
                {
                    "first_name": f"Person{n}",
                    "last_name": "Distinct",
                    "ssn": f"52{n}-11-2345",
                }
            ],
        )
    with CaptureQueriesContext(connection) as more:
        client.get("/review/")
    assert len(more) == len(few)


def test_the_intake_desk_lists_call_backs_and_links_to_the_paper_form(
    client_for, intake_clerk, agencies, ingest
):
    ingest("06-spoofed-emergency.eml")
    page = client_for(intake_clerk).get("/review/intake/").content.decode()
    assert "Call back to confirm the emergency" in page
    assert "never on a number given in the request" in page


def test_an_approvers_queue_starts_with_releases_waiting_for_a_signature(
    client_for, approver, reviewer, police_request, csed_request
):
    services.review_start(actor=reviewer, request=police_request)
    services.review_decide(
        actor=reviewer,
        request=police_request,
        kind="release",
        elements={"employer": {"action": "approve"}},
    )
    page = client_for(approver).get("/review/").content.decode()
    assert police_request.reference in page and csed_request.reference not in page
    everything = client_for(approver).get("/review/?status=open").content.decode()
    assert csed_request.reference in everything
