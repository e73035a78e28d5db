"""Recompute the report from the audit log's entries alone (``--from-audit``).

Entries come from this installation's database or from a file of entries downloaded
from the API, as JSON lines (one API page, or one canonical entry, per line):

- ``/api/v1/audit/entries`` (public, anyone): every entry's index and leaf hash, and the
  text of public entries only. Enough for the **public** report, which is computed from
  public entries alone.
- ``/api/v1/audit/entries/full`` (auditors and administrators): every entry's text.
  Needed for the **full** report (``--full``), which adds the counts that only
  restricted entries hold (notices to workers).

Either way the indexes must run 0, 1, 2, …, each entry whose text is present is
re-hashed (its leaf hash is taken from the text, never from what the server said), a
restricted entry counts by the leaf hash served, and the RFC 9162 root of what was read
is computed: with a signed checkpoint, that root must be the checkpoint's. In the public
recomputation, restricted entries are not read even when their text is at hand, so the
public report is exactly what an outsider can compute.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings

from recordwarden.audit import merkle, visibility

from .constants import FULL, PUBLIC
from .fold import counts_from_entries, scoped_counts
from .summary import Report, build_report


class ReplayError(ValueError):
    """The entries are not a contiguous, well-formed prefix of a log."""


@dataclass(frozen=True)
class Item:
    """One entry as read: its index, its text (None when withheld) and, for a withheld
    one, the leaf hash served with it."""

    index: int
    canonical: str | None
    leaf: bytes | None = None


@dataclass
class Replay:
    size: int = 0
    root: bytes = merkle.EMPTY_ROOT
    restricted: int = 0  # entries counted by their leaf hash alone

    @property
    def root_b64(self) -> str:
        return base64.b64encode(self.root).decode()


def _parse(item: Item) -> dict:
    try:
        entry = json.loads(item.canonical)
    except json.JSONDecodeError as exc:
        raise ReplayError(f"entry {item.index} is not JSON: {exc}") from None
    if not isinstance(entry, dict) or entry.get("index") != item.index:
        raise ReplayError(f"entry {item.index}'s text names another index")
    return entry


def _entries(
    items: Iterable[Item], replay: Replay, size: int | None, scope: str
) -> Iterator[dict]:
    compact = merkle.CompactRange()
    for item in items:
        if size is not None and compact.size >= size:
            break
        if item.index != compact.size:
            raise ReplayError(f"expected entry {compact.size}, found {item.index}")
        if item.canonical is None:
            if scope == FULL:
                raise ReplayError(
                    f"entry {item.index} is restricted and its text is not here: the "
                    "full report needs every entry (an auditor's download from "
                    "/api/v1/audit/entries/full)"
                )
            if item.leaf is None or len(item.leaf) != 32:
                raise ReplayError(f"entry {item.index} has neither text nor leaf hash")
            compact.append(item.leaf)
            replay.restricted += 1
            continue
        entry = _parse(item)
        compact.append(merkle.leaf_hash(item.canonical.encode("utf-8")))
        if scope == FULL or visibility.is_public(str(entry.get("action"))):
            yield entry
        else:
            replay.restricted += 1
    if size is not None and compact.size < size:
        raise ReplayError(f"only {compact.size} entries, {size} were asked for")
    replay.size, replay.root = compact.size, compact.root()


def report_from_entries(
    items: Iterable[Item],
    *,
    size: int | None = None,
    time_zone: str | None = None,
    scope: str = PUBLIC,
) -> tuple[Report, Replay, dict]:
    """Fold entries (from index 0) into the report of ``scope`` (public: from public
    entries only; full: from every entry). Returns the report, what was read (size,
    root) and the counters per quarter that the report publishes, before suppression."""
    tz_name = time_zone or settings.TIME_ZONE
    replay = Replay()
    counts, _facts = counts_from_entries(
        _entries(items, replay, size, scope), ZoneInfo(tz_name)
    )
    by_quarter = scoped_counts(counts.as_dict(), scope)
    report = build_report(
        by_quarter,
        log_size=replay.size,
        log_root=replay.root_b64,
        time_zone=tz_name,
        scope=scope,
    )
    return report, replay, by_quarter


def entries_from_database(size: int, *, scope: str = PUBLIC) -> Iterator[Item]:
    """This database's first ``size`` entries. For the public scope, restricted
    entries come as the public API serves them: a leaf hash, no text."""
    from recordwarden.audit.models import AuditEntry

    rows = (
        AuditEntry.objects.filter(index__lt=size)
        .order_by("index")
        .values_list("index", "action", "canonical", "leaf_hash")
    )
    for index, action, canonical, leaf_hash in rows.iterator(chunk_size=5000):
        if scope == FULL or visibility.is_public(action):
            yield Item(index, canonical)
        else:
            yield Item(index, None, bytes.fromhex(leaf_hash))


def _item_from_api(entry: dict, line: int) -> Item:
    try:
        index = entry["index"]
        canonical = entry.get("canonical")
        leaf = None
        if canonical is None:
            leaf = base64.b64decode(entry["leaf_hash"], validate=True)
    except (KeyError, TypeError, binascii.Error) as exc:
        raise ReplayError(
            f"line {line}: an entry without index or hash ({exc})"
        ) from None
    if not isinstance(index, int) or not (
        canonical is None or isinstance(canonical, str)
    ):
        raise ReplayError(f"line {line}: malformed entry")
    return Item(index, canonical, leaf)


def entries_from_file(path: Path) -> Iterator[Item]:
    """Entries from a file of JSON lines: each line an entries page from the API
    ({"entries": [{"index", "leaf_hash", "canonical", …}, …]}) or one canonical entry."""
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
                    yield _item_from_api(entry, number)
            elif isinstance(item, dict) and isinstance(item.get("index"), int):
                yield Item(item["index"], line)
            else:
                raise ReplayError(f"line {number} is neither a page nor an entry")
