"""The request workflow as data: every allowed move, who may make it, and through which
service. Anything not listed here is refused.

``via`` names the service that makes the move; ``request_transition`` (the generic
service) makes only the moves whose ``via`` is ``"request_transition"``, so a release
cannot be reached without a decision and its signatures.
"""

from __future__ import annotations

from dataclasses import dataclass

from recordwarden.accounts.constants import Role
from recordwarden.intake.constants import RequestStatus as S

STAFF_CASEWORK = frozenset(
    {Role.INTAKE_CLERK, Role.REVIEWER, Role.COUNSEL, Role.APPROVER}
)
DECIDERS = frozenset({Role.REVIEWER, Role.COUNSEL})


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    roles: frozenset[str]
    via: str
    # A system actor ("system:<name>") may make the move too (e.g. disclosure).
    system: bool = False


MOVES: tuple[Move, ...] = (
    Move(S.RECEIVED, S.IN_REVIEW, STAFF_CASEWORK - {Role.INTAKE_CLERK}, "review_start"),
    Move(S.RECEIVED, S.WITHDRAWN, STAFF_CASEWORK, "request_transition"),
    Move(S.IN_REVIEW, S.AWAITING_APPROVAL, DECIDERS, "review_decide"),
    Move(S.IN_REVIEW, S.DENIED, DECIDERS, "review_decide"),
    Move(S.IN_REVIEW, S.QUASHED, DECIDERS, "review_decide"),
    Move(S.IN_REVIEW, S.WITHDRAWN, STAFF_CASEWORK, "request_transition"),
    Move(
        S.AWAITING_APPROVAL,
        S.APPROVED,
        frozenset({Role.APPROVER, Role.COUNSEL}),
        "decision_sign",
    ),
    Move(
        S.AWAITING_APPROVAL,
        S.IN_REVIEW,
        frozenset({Role.APPROVER, Role.COUNSEL}),
        "decision_return",
    ),
    Move(S.AWAITING_APPROVAL, S.WITHDRAWN, STAFF_CASEWORK, "request_transition"),
    Move(
        S.APPROVED,
        S.RELEASED,
        frozenset({Role.APPROVER, Role.REVIEWER}),
        "request_transition",
        system=True,
    ),
    Move(S.RELEASED, S.CLOSED, STAFF_CASEWORK, "request_transition", system=True),
    Move(S.DENIED, S.CLOSED, STAFF_CASEWORK, "request_transition", system=True),
    Move(S.QUASHED, S.CLOSED, STAFF_CASEWORK, "request_transition", system=True),
    # A re-ask after a denial can be looked at again; the earlier denial stays on file.
    Move(S.DENIED, S.IN_REVIEW, DECIDERS | {Role.APPROVER}, "review_reopen"),
)

TRANSITIONS: dict[tuple[str, str], Move] = {(m.source, m.target): m for m in MOVES}

# States in which the request waits for a human decision (an open review exists).
OPEN_STATES = frozenset({S.RECEIVED, S.IN_REVIEW, S.AWAITING_APPROVAL})
# States with no move out but closing.
FINAL_STATES = frozenset({S.CLOSED, S.WITHDRAWN})


def move_for(source: str, target: str) -> Move | None:
    return TRANSITIONS.get((str(source), str(target)))


def targets_from(source: str) -> list[str]:
    return [m.target for m in MOVES if m.source == source]


def _check_table() -> None:
    """Every state named is a real status: a typo here must fail at import."""
    known = set(S.values)
    for move in MOVES:
        if move.source not in known or move.target not in known:
            raise ValueError(f"unknown status in move {move}")


_check_table()
