"""Which trained model resolves subjects, loaded once per process per model row."""

from __future__ import annotations

import threading

from django.db.models import Max

from recordwarden.records.models import Worker

from .engine import Model
from .models import MatcherModel

_lock = threading.Lock()
_loaded: dict = {"pk": None, "model": None}
_population: dict = {"key": None, "value": None}


def _default_population() -> int:
    """The number of workers, counted again only when the highest worker id changes
    (a count scans an index of a million rows; the highest id is one index probe)."""
    key = Worker.objects.aggregate(m=Max("id"))["m"]
    if _population["key"] != key or _population["value"] is None:
        _population["value"] = max(Worker.objects.count(), 2)
        _population["key"] = key
    return _population["value"]


def active_model() -> tuple[MatcherModel | None, Model]:
    """The newest trained model (row and engine model), or the untrained defaults with
    the prior set from the current number of workers."""
    newest = (
        MatcherModel.objects.order_by("-id").values_list("id", "created_at").first()
    )
    if newest is None:
        return None, Model(population=_default_population())
    pk = newest
    with _lock:
        if _loaded["pk"] != pk:
            row = MatcherModel.objects.get(pk=pk[0])
            _loaded["model"] = (row, Model.from_dict(row.params))
            _loaded["pk"] = pk
        return _loaded["model"]


def forget() -> None:
    """Drop the cached model and population (tests that swap models call this)."""
    with _lock:
        _loaded["pk"] = None
        _loaded["model"] = None
        _population["key"] = _population["value"] = None
