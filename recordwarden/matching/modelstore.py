"""Which trained model resolves subjects, loaded once per process per model row."""

from __future__ import annotations

import threading
import time

from recordwarden.records.models import Worker

from .engine import Model
from .models import MatcherModel

_lock = threading.Lock()
_loaded: dict = {"pk": None, "model": None}
_population: dict = {"value": None, "at": 0.0}
POPULATION_TTL = 300.0  # seconds; the untrained prior only needs the order of magnitude


def _default_population() -> int:
    now = time.monotonic()
    if _population["value"] is None or now - _population["at"] > POPULATION_TTL:
        _population["value"] = max(Worker.objects.count(), 2)
        _population["at"] = now
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
        _population["value"] = None
