"""From audit entries to one fact per request: the only way the report reads the world.

Every number on the transparency page is computed from audit entries, never from the
application's own tables, so anyone holding the log's entries can recompute it
(``manage.py transparency_report --from-audit``). An entry is the dict of its canonical
JSON: ``{"index", "time", "actor", "action", "target", "data", "v"}`` (and ``"salt"``
for a restricted one). The public report is folded from public entries alone; the
counters that need restricted entries (FULL_LOG_ONLY) are in the full report only.

``Folder.apply`` folds entries, in log order, into a *fact* per request: a small dict
of codes (agency type, instrument, purpose, emergency, status, last final decision,
elements released, notices, re-ask flag, emergency call-backs). ``counts_of`` turns one
fact into the counters it adds to its quarter. The page keeps those counters per
quarter and refreshes them incrementally (services.report_refresh); ``--from-audit``
folds the whole log afresh. Both use these functions, so the two cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from recordwarden.accounts.constants import AgencyType
from recordwarden.disclosure import constants as disclosure
from recordwarden.intake import constants as intake
from recordwarden.review import constants as review

from .constants import FULL, NO_AGENCY, Outcome

REQUEST_TARGET = "intake.request:"
NOTICE_TARGET = "disclosure.notice:"
DECIDED_STATUSES = frozenset({"approved", "denied", "quashed"})
# Entries that carry the request's primary key in data["request"].
_BY_REQUEST_PK = frozenset(
    {
        disclosure.PACKAGE_BUILT,
        disclosure.NOTICE_SCHEDULED,
        disclosure.NOTICE_SENT,
        disclosure.NOTICE_CANCELLED,
    }
)
_CODE_FIELDS = ("agency_type", "instrument", "purpose", "emergency")
SECONDS_PER_TENTH_DAY = 8640


def parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def quarter_of(moment: dt.datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


def _pk(text: str, prefix: str) -> int | None:
    if not isinstance(text, str) or not text.startswith(prefix):
        return None
    try:
        return int(text[len(prefix) :])
    except ValueError:
        return None


def request_key(entry: dict) -> int | str | None:
    """The request an entry is about: its primary key, or (for a joined submission)
    its reference. None for entries the report does not read."""
    action, data = entry.get("action"), entry.get("data") or {}
    if action == intake.SUBMISSION_JOINED:
        ref = data.get("request")
        return ref if isinstance(ref, str) else None
    if action in _BY_REQUEST_PK or (
        action == disclosure.NOTICE_DELAYED
        and str(entry.get("target", "")).startswith(NOTICE_TARGET)
    ):
        pk = data.get("request")
        return pk if isinstance(pk, int) and not isinstance(pk, bool) else None
    return _pk(entry.get("target", ""), REQUEST_TARGET)


def new_fact(entry: dict, pk: int, tz: ZoneInfo) -> dict:
    data = entry.get("data") or {}
    received = parse_time(entry["time"])
    return {
        "id": pk,
        "ref": str(data.get("reference") or f"#{pk}"),
        "received": entry["time"],
        "quarter": quarter_of(received, tz),
        "channel": str(data.get("channel") or ""),
        "agency_type": data.get("agency_type") or None,
        "instrument": str(data.get("instrument") or intake.Instrument.NONE),
        "purpose": str(data.get("purpose") or intake.Purpose.OTHER),
        "emergency": bool(data.get("emergency")),
        "status": intake.RequestStatus.RECEIVED.value,
        "decided_tenths": None,
        "final_kind": None,
        "released": [],
        "people": 0,
        "notices": {},
        "delay_order": False,
        "re_ask": False,
        "em_verified": False,
        "em_failed_calls": 0,
    }


# --- What each entry does to its request's fact --------------------------------------


def _codes(fact: dict, entry: dict) -> None:
    data = entry.get("data") or {}
    for name in _CODE_FIELDS:
        if name in data:
            value = data[name]
            fact[name] = bool(value) if name == "emergency" else (value or None)
    if fact["instrument"] is None:
        fact["instrument"] = intake.Instrument.NONE.value
    if fact["purpose"] is None:
        fact["purpose"] = intake.Purpose.OTHER.value


def _screened(fact: dict, entry: dict) -> None:
    if review.RE_ASK_FLAG in ((entry.get("data") or {}).get("flags") or []):
        fact["re_ask"] = True


def _moved(fact: dict, entry: dict) -> None:
    to = str((entry.get("data") or {}).get("to") or "")
    if not to or to == intake.RequestStatus.CLOSED:
        return  # closing keeps the outcome the request had
    fact["status"] = to
    if to in DECIDED_STATUSES and fact["decided_tenths"] is None:
        elapsed = parse_time(entry["time"]) - parse_time(fact["received"])
        fact["decided_tenths"] = max(
            0, int(elapsed.total_seconds() // SECONDS_PER_TENTH_DAY)
        )


def _decided(fact: dict, entry: dict) -> None:
    data = entry.get("data") or {}
    if data.get("state") == review.DecisionState.FINAL:
        fact["final_kind"] = str(data.get("kind") or "")


def _package(fact: dict, entry: dict) -> None:
    data = entry.get("data") or {}
    released = set(fact["released"]) | {str(e) for e in data.get("elements") or []}
    fact["released"] = sorted(released)
    fact["people"] += int(data.get("subjects") or 0)


def _notice_id(entry: dict) -> str | None:
    pk = _pk(entry.get("target", ""), NOTICE_TARGET)
    return None if pk is None else str(pk)


def _notice_scheduled(fact: dict, entry: dict) -> None:
    if (nid := _notice_id(entry)) is not None:
        # [sent, delayed by a recorded court order, cancelled]
        fact["notices"].setdefault(nid, [False, fact["delay_order"], False])


def _notice_sent(fact: dict, entry: dict) -> None:
    if (nid := _notice_id(entry)) is not None and nid in fact["notices"]:
        fact["notices"][nid][0] = True


def _notice_cancelled(fact: dict, entry: dict) -> None:
    if (nid := _notice_id(entry)) is not None and nid in fact["notices"]:
        fact["notices"][nid][2] = True


def _notice_delayed(fact: dict, entry: dict) -> None:
    """A court order recorded against the request delays every notice not yet sent or
    cancelled, and every notice scheduled later. (A notice *held* because intake saw
    an order that is not yet recorded is not counted until the order is.)"""
    if "delay" not in (entry.get("data") or {}):
        return
    fact["delay_order"] = True
    for state in fact["notices"].values():
        if not state[0] and not state[2]:
            state[1] = True


def _callback(fact: dict, entry: dict) -> None:
    data = entry.get("data") or {}
    if data.get("kind") != review.TaskKind.EMERGENCY_CALLBACK:
        return
    if data.get("confirmed"):
        fact["em_verified"] = True
    else:
        fact["em_failed_calls"] += 1


HANDLERS = {
    intake.REQUEST_UPDATED: _codes,
    intake.REQUEST_CONFIRMED: _codes,
    intake.SUBMISSION_JOINED: _codes,
    review.SCREENED: _screened,
    review.REQUEST_MOVED: _moved,
    review.DECIDED: _decided,
    review.CALLBACK_RECORDED: _callback,
    disclosure.PACKAGE_BUILT: _package,
    disclosure.NOTICE_SCHEDULED: _notice_scheduled,
    disclosure.NOTICE_SENT: _notice_sent,
    disclosure.NOTICE_CANCELLED: _notice_cancelled,
    disclosure.NOTICE_DELAYED: _notice_delayed,
}
# Every action the report reads: the rest of the log is skipped.
RELEVANT_ACTIONS = frozenset({intake.REQUEST_SUBMITTED, *HANDLERS})


class Folder:
    """Folds entries, in log order, into facts (``facts``: request pk -> fact).

    Start it empty to fold a whole log, or with the facts of the requests a batch of
    entries names (see ``keys_named``) to continue from where an earlier fold ended.
    ``touched`` lists the requests whose facts this folder changed or created."""

    def __init__(self, tz: ZoneInfo, facts: dict[int, dict] | None = None) -> None:
        self.tz = tz
        self.facts: dict[int, dict] = facts if facts is not None else {}
        self.by_ref: dict[str, int] = {f["ref"]: pk for pk, f in self.facts.items()}
        self.touched: set[int] = set()

    def apply(self, entry: dict) -> None:
        action = entry.get("action")
        if action == intake.REQUEST_SUBMITTED:
            pk = _pk(entry.get("target", ""), REQUEST_TARGET)
            if pk is None or pk in self.facts:
                return
            fact = new_fact(entry, pk, self.tz)
            self.facts[pk] = fact
            self.by_ref[fact["ref"]] = pk
            self.touched.add(pk)
            return
        handler = HANDLERS.get(action)
        if handler is None:
            return
        key = request_key(entry)
        pk = self.by_ref.get(key) if isinstance(key, str) else key
        fact = self.facts.get(pk) if pk is not None else None
        if fact is None:
            return  # an entry about a request the log never opened: nothing to count
        handler(fact, entry)
        self.touched.add(pk)

    def apply_all(self, entries: Iterable[dict]) -> Folder:
        for entry in entries:
            self.apply(entry)
        return self


def keys_named(entries: Iterable[dict]) -> tuple[set[int], set[str]]:
    """The request pks and references a batch of entries names (to load their facts)."""
    pks: set[int] = set()
    refs: set[str] = set()
    for entry in entries:
        if entry.get("action") == intake.REQUEST_SUBMITTED:
            continue
        key = request_key(entry)
        if isinstance(key, str):
            refs.add(key)
        elif key is not None:
            pks.add(key)
    return pks, refs


# --- From a fact to what it adds to its quarter --------------------------------------


def outcome_of(fact: dict) -> str:
    status, kind = fact["status"], fact["final_kind"]
    S = intake.RequestStatus
    if status == S.WITHDRAWN:
        return Outcome.WITHDRAWN
    if status in (S.APPROVED, S.RELEASED):
        if kind == review.DecisionKind.APPROVE:
            return Outcome.RELEASED
        return Outcome.RELEASED_IN_PART
    if status == S.DENIED:
        return Outcome.DENIED
    if status == S.QUASHED:
        return Outcome.QUASHED
    if kind == review.DecisionKind.JUDICIAL_ORDER:
        return Outcome.AWAITING_ORDER
    return Outcome.PENDING


def is_immigration(fact: dict) -> bool:
    """From an immigration agency, or for civil immigration enforcement."""
    return (
        fact["agency_type"] == AgencyType.IMMIGRATION_ENFORCEMENT
        or fact["purpose"] == intake.Purpose.CIVIL_IMMIGRATION
    )


def counts_of(fact: dict) -> dict[str, int]:
    """The counters one request adds to its quarter (see summary.py for their use)."""
    counts = {
        "requests": 1,
        f"agency_type:{fact['agency_type'] or NO_AGENCY}": 1,
        f"instrument:{fact['instrument']}": 1,
        f"outcome:{outcome_of(fact)}": 1,
    }
    for element in fact["released"]:
        counts[f"element:{element}"] = 1
    if fact["decided_tenths"] is not None:
        counts["decided"] = 1
        counts[f"days:{fact['decided_tenths']}"] = 1
    notices = fact["notices"].values()
    sent = sum(1 for s in notices if s[0])
    delayed = sum(1 for s in notices if s[1])
    if sent:
        counts["notices_sent"] = sent
    if delayed:
        counts["notices_delayed"] = delayed
    if fact["re_ask"]:
        counts["re_asks"] = 1
    if fact["emergency"]:
        counts["emergency"] = 1
        if fact["em_verified"]:
            counts["emergency_verified"] = 1
        elif fact["em_failed_calls"]:
            counts["emergency_failed"] = 1
    return counts


# Counters that only restricted entries can give (recordwarden/audit/visibility.py):
# notices go to confirmed workers only, so their entries, and any count of them, tell
# whether the people an immigration agency named are in the records. They are kept
# and shown to staff, and the state auditor can recompute them from the full log; the
# public report leaves them out (docs/transparency.md).
FULL_LOG_ONLY = frozenset({"notices_sent", "notices_delayed"})


def scoped_counts(
    by_quarter: dict[str, dict[str, int]], scope: str
) -> dict[str, dict[str, int]]:
    """The counters a report of ``scope`` publishes: all of them for the full report,
    all but FULL_LOG_ONLY for the public one."""
    if scope == FULL:
        return {q: dict(c) for q, c in by_quarter.items()}
    return {
        q: {k: v for k, v in c.items() if k not in FULL_LOG_ONLY}
        for q, c in by_quarter.items()
    }


class Counts:
    """Counters per quarter; ``add(fact, -1)`` takes back what ``add(fact)`` added, so
    a refresh replaces a request's old contribution with its new one exactly."""

    def __init__(self, by_quarter: dict[str, dict[str, int]] | None = None) -> None:
        self.by_quarter: dict[str, dict[str, int]] = {
            q: dict(c) for q, c in (by_quarter or {}).items()
        }

    def add(self, fact: dict | None, sign: int = 1) -> None:
        if fact is None:
            return
        counter = self.by_quarter.setdefault(fact["quarter"], {})
        for key, value in counts_of(fact).items():
            total = counter.get(key, 0) + sign * value
            if total:
                counter[key] = total
            else:
                counter.pop(key, None)
        if not counter:
            self.by_quarter.pop(fact["quarter"], None)

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {q: dict(sorted(c.items())) for q, c in sorted(self.by_quarter.items())}


def counts_from_entries(
    entries: Iterable[dict], tz: ZoneInfo
) -> tuple[Counts, dict[int, dict]]:
    """Fold a whole log (from its first entry) into counters per quarter."""
    folder = Folder(tz).apply_all(entries)
    counts = Counts()
    for fact in folder.facts.values():
        counts.add(fact)
    return counts, folder.facts
