"""Recompute the report from the audit log's entries alone (``--from-audit``).

Entries come either from this installation's database or from a file of entries
downloaded from the public API (``/api/v1/audit/entries``, as JSON lines: one API page
or one canonical entry per line). Either way each entry's canonical text is re-hashed,
indexes must run 0, 1, 2, … and the RFC 9162 root of the entries read is computed, so
the report names exactly which log it was computed from; with a signed checkpoint, the
root must be the checkpoint's.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings

from recordwarden.audit import merkle

from .fold import counts_from_entries
from .summary import Report, build_report


class ReplayError(ValueError):
    """The entries are not a contiguous, well-formed prefix of a log."""


@dataclass
class Replay:
    size: int = 0
    root: bytes = merkle.EMPTY_ROOT

    @property
    def root_b64(self) -> str:
        return base64.b64encode(self.root).decode()


def _entries(texts: Iterable[str], replay: Replay, size: int | None) -> Iterator[dict]:
    compact = merkle.CompactRange()
    for text in texts:
        if size is not None and compact.size >= size:
            break
        try:
            entry = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ReplayError(f"entry {compact.size} is not JSON: {exc}") from None
        if not isinstance(entry, dict) or entry.get("index") != compact.size:
            raise ReplayError(
                f"expected entry {compact.size}, found "
                f"{entry.get('index') if isinstance(entry, dict) else entry!r}"
            )
        compact.append(merkle.leaf_hash(text.encode("utf-8")))
        replay.size, replay.root = compact.size, compact.root()
        yield entry
    if size is not None and compact.size < size:
        raise ReplayError(f"only {compact.size} entries, {size} were asked for")
    replay.size, replay.root = compact.size, compact.root()


def report_from_texts(
    texts: Iterable[str], *, size: int | None = None, time_zone: str | None = None
) -> tuple[Report, Replay, dict]:
    """Fold canonical entry texts (from index 0) into the published report. Returns
    the report, what was read (size and root) and the raw counters per quarter."""
    tz_name = time_zone or settings.TIME_ZONE
    replay = Replay()
    counts, _facts = counts_from_entries(
        _entries(texts, replay, size), ZoneInfo(tz_name)
    )
    report = build_report(
        counts.as_dict(),
        log_size=replay.size,
        log_root=replay.root_b64,
        time_zone=tz_name,
    )
    return report, replay, counts.as_dict()


def texts_from_database(size: int) -> Iterator[str]:
    from recordwarden.audit.models import AuditEntry

    rows = (
        AuditEntry.objects.filter(index__lt=size)
        .order_by("index")
        .values_list("canonical", flat=True)
    )
    yield from rows.iterator(chunk_size=5000)


def texts_from_file(path: Path) -> Iterator[str]:
    """Canonical texts from a file of JSON lines: each line an entries page from the
    public API ({"entries": [{"canonical": …}, …]}) or one canonical entry."""
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            line = line.strip()
            if not line:
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ReplayError(f"line {number} is not JSON: {exc}") from None
            if isinstance(item, dict) and isinstance(item.get("entries"), list):
                for entry in item["entries"]:
                    yield entry["canonical"]
            else:
                yield line
