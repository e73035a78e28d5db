"""The package document: a snapshot of the released elements of the confirmed subjects.

``collect`` reads the records once, when the decision becomes final, and returns a plain
dict; JSON, CSV and PDF are all rendered from that dict, so the three say the same thing
and none of them is ever regenerated from live data.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from recordwarden.core.exceptions import Conflict
from recordwarden.records.catalogue import ELEMENTS, validate_elements

from .constants import SNAPSHOT_FORMAT
from .extract import Period, Planned, extract, period_for
from .narrowing import (
    PERIOD_ELEMENTS,
    Narrowing,
    NarrowingError,
    narrowed_period,
    parse,
)


class PackageError(Conflict):
    """The package cannot be built; the release must not go ahead. The message says why
    in words a reviewer can act on. A Conflict, so pages and the API show it as such."""


@dataclass(frozen=True)
class Released:
    key: str
    action: str
    narrowing: str


def confirmed_workers(request) -> list[tuple[Any, Any]]:
    """(subject, worker) for each subject a reviewer confirmed, one row per worker.

    Only the matching app's confirmation counts: an automatic or ambiguous candidate
    is never a confirmed subject."""
    from recordwarden.matching.selectors import confirmed_worker

    pairs: list[tuple[Any, Any]] = []
    seen: set[int] = set()
    for subject in request.subjects.order_by("position", "pk"):
        worker = confirmed_worker(subject)
        if worker is not None and worker.pk not in seen:
            seen.add(worker.pk)
            pairs.append((subject, worker))
    return pairs


def released_elements(decision) -> list[Released]:
    """The decision's approved and narrowed elements, checked against the catalogue and
    against what the request asked for (a decision cannot release what was not asked)."""
    from recordwarden.review.constants import RELEASING_ACTIONS

    rows = [e for e in decision.elements.all() if e.action in RELEASING_ACTIONS]
    keys = [e.element for e in rows]
    try:
        ordered = validate_elements(keys)
    except ValueError as exc:
        raise PackageError(f"The decision names {exc}.") from None
    asked = set(decision.request.elements or [])
    beyond = [k for k in ordered if k not in asked]
    if beyond:
        raise PackageError(
            "The decision releases elements the request did not ask for: "
            + ", ".join(beyond)
        )
    by_key = {e.element: e for e in rows}
    return [
        Released(k, str(by_key[k].action), by_key[k].narrowing or "") for k in ordered
    ]


def request_period(request) -> Period:
    received = timezone.localtime(request.received_at).date()
    return period_for(request.date_from, request.date_to, received)


def plan_for(request, released: list[Released]) -> list[Planned]:
    """Each released element with the quarters and fields it covers once narrowed.
    Raises PackageError naming the element whose narrowing cannot be applied."""
    period = request_period(request)
    plan = []
    for r in released:
        narrowing = Narrowing()
        if r.action == "narrow":
            try:
                narrowing = parse(r.narrowing, r.key)
            except NarrowingError as exc:
                raise PackageError(
                    f"The narrowing of {ELEMENTS[r.key].label} ({r.narrowing!r}) "
                    f"cannot be applied. {exc}"
                ) from None
        own = narrowed_period(period, narrowing) if r.key in PERIOD_ELEMENTS else period
        plan.append(Planned(r.key, own, narrowing.fields))
    return plan


def _covers(item: Planned) -> dict[str, Any]:
    quarters = None
    if item.key in PERIOD_ELEMENTS:
        quarters = item.period.label() if item.period else "none"
    return {
        "quarters": quarters,
        "fields": sorted(item.fields) if item.fields else None,
    }


def collect(
    *,
    reference: str,
    decision,
    released: list[Released],
    pairs: list[tuple[Any, Any]],
    recipient: str,
    built_at,
) -> dict[str, Any]:
    """The package document. Holds nothing but released elements of confirmed people."""
    request = decision.request
    period = request_period(request)
    plan = plan_for(request, released)
    order = {
        pk: n
        for n, pk in enumerate(
            request.subjects.order_by("position", "pk").values_list("pk", flat=True),
            start=1,
        )
    }
    return {
        "format": SNAPSHOT_FORMAT,
        "package": reference,
        "request": request.reference,
        "decision": decision.pk,
        "built_at": built_at.isoformat(),
        "recipient": recipient,
        "legal_process": request.get_instrument_display(),
        "case_number": request.case_number,
        "period": period.label(),
        "elements": [
            {
                "key": r.key,
                "label": ELEMENTS[r.key].label,
                "action": r.action,
                "narrowing": r.narrowing,
                **_covers(item),
            }
            for r, item in zip(released, plan, strict=True)
        ],
        # "position" is the person's place in the request's own list (1, 2, …), so the
        # recipient can tell who is who without the package naming anyone it may not.
        "subjects": [
            {"position": order[subject.pk], "data": extract(worker, plan)}
            for subject, worker in pairs
        ],
    }


def to_json(document: dict[str, Any]) -> bytes:
    return (
        json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    ).encode()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is quoted with '."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _rows(position: int, key: str, value: Any):
    if isinstance(value, dict):
        for field, item in value.items():
            yield [position, key, "", field, item]
    elif isinstance(value, list):
        for index, item in enumerate(value, start=1):
            if isinstance(item, dict):
                for field, inner in item.items():
                    yield [position, key, index, field, inner]
            else:
                yield [position, key, index, "", item]
    else:
        yield [position, key, "", "", value]


def to_csv(document: dict[str, Any]) -> bytes:
    """Long format, one value per row: subject, element, item, field, value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["package", "subject", "element", "item", "field", "value"])
    package = document["package"]
    for subject in document["subjects"]:
        for key, value in subject["data"].items():
            for row in _rows(subject["position"], key, value):
                writer.writerow([package, *(_cell(v) for v in row)])
    return out.getvalue().encode()
