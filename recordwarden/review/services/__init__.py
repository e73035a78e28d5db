"""Writes of the review workflow: moves, reviews, decisions, signatures, tasks and
notifications. Import from here; the modules split the work by subject."""

from .decisions import (
    decision_return,
    decision_sign,
    latest_screening,
    review_decide,
    signatures_complete,
)
from .workflow import (
    STALE,
    event_add,
    notification_add,
    notification_mark_read,
    open_review,
    request_transition,
    review_assign,
    review_ensure,
    review_reopen,
    review_start,
    task_add,
)

__all__ = [
    "STALE",
    "decision_return",
    "decision_sign",
    "event_add",
    "latest_screening",
    "notification_add",
    "notification_mark_read",
    "open_review",
    "request_transition",
    "review_assign",
    "review_decide",
    "review_ensure",
    "review_reopen",
    "review_start",
    "signatures_complete",
    "task_add",
]
