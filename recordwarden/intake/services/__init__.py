"""Writes of the intake app: every door (portal, API, email, paper) ends here.

``request_submit`` takes structured input (portal, API, a clerk's paper form);
``submission_ingest_email`` takes a raw message. Both keep the raw item with its SHA-256,
join an existing request when the ask is the same (see joining.py), write the audit
entries in the same transaction, and then ask the review app to screen the request.
"""

from .clerk import request_update, submission_triage_resolve
from .email import submission_ingest_email
from .submit import request_document_add, request_submit

__all__ = [
    "request_document_add",
    "request_submit",
    "request_update",
    "submission_ingest_email",
    "submission_triage_resolve",
]
