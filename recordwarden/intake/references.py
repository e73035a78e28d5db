"""Public references (RW-2026-000123): one sequence per year, never reused, race-free."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import ReferenceCounter

PREFIX = "RW"


def format_reference(year: int, number: int) -> str:
    return f"{PREFIX}-{year}-{number:06d}"


def reference_allocate() -> str:
    """Take the next number of this year's sequence.

    The increment is one UPDATE ... SET last = last + 1: the database takes the row lock,
    so two transactions never read the same value (PostgreSQL re-reads the row after the
    lock is released; SQLite serialises writers). The value read back inside the same
    transaction is therefore ours. If the caller's transaction rolls back, the number is
    given back too; gaps are possible only if a request is deleted, which never happens.
    """
    year = timezone.localdate().year
    with transaction.atomic():
        updated = ReferenceCounter.objects.filter(year=year).update(last=F("last") + 1)
        if not updated:
            try:
                # First request of the year: create the row. Two first requests racing
                # meet on the primary key; the loser increments the winner's row.
                with transaction.atomic():
                    ReferenceCounter.objects.create(year=year, last=1)
            except IntegrityError:
                ReferenceCounter.objects.filter(year=year).update(last=F("last") + 1)
        number = ReferenceCounter.objects.values_list("last", flat=True).get(year=year)
    return format_reference(year, number)
