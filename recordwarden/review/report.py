"""The screening of a request as plain data: what `manage.py screen REF --json`, the API
and the case page's summary all show."""

from __future__ import annotations

from recordwarden.intake.models import Submission


def _subject_row(subject, match: dict | None) -> dict:
    return {
        "position": subject.position,
        "first_name": subject.first_name,
        "middle_name": subject.middle_name,
        "last_name": subject.last_name,
        "dob": subject.dob.isoformat() if subject.dob else None,
        "ssn_last4": subject.ssn_last4() or None,
        "match": (match or {}).get("outcome", "not_screened"),
    }


def screening_data(request, screening) -> dict:
    """The request's current screening as a dict (JSON-ready)."""
    subjects = list(request.subjects.all())
    matches = {m["subject"]: m for m in (screening.subjects if screening else [])}
    inboxes = sorted(
        set(
            Submission.objects.filter(request=request)
            .exclude(inbox="")
            .values_list("inbox", flat=True)
        )
    )
    data = {
        "reference": request.reference,
        "status": request.status,
        "agency": request.agency.key if request.agency_id else None,
        "claimed_agency": request.claimed_agency or None,
        "instrument": request.instrument,
        "case_number": request.case_number or None,
        "purpose": request.purpose,
        "emergency": request.emergency,
        "elements": list(request.elements or []),
        "inboxes": inboxes,
        "subjects": [_subject_row(s, matches.get(s.pk)) for s in subjects],
    }
    if screening is None:
        data.update(
            {
                "flags": [],
                "policy": {},
                "recommendation": None,
                "related": [],
                "re_ask": None,
                "screening": None,
            }
        )
        return data
    data.update(
        {
            "flags": list(screening.flags),
            "policy": screening.elements,
            "recommendation": screening.recommendation,
            "related": screening.related,
            "re_ask": screening.re_ask or None,
            "screening": {
                "id": screening.pk,
                "created_at": screening.created_at.isoformat(),
                "policy_version": screening.policy_version,
                "duration_ms": screening.duration_ms,
                "timings_ms": screening.timings,
            },
        }
    )
    return data
