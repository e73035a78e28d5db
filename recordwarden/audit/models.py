"""The audit log's tables.

``AuditEntry``, ``AuditSubtree`` and ``AuditCheckpoint`` are append-only: database
triggers (migration 0002) reject UPDATE and DELETE on them, on SQLite and PostgreSQL.
``AuditHead`` is the one mutable row: the log's size and right edge, kept so an append
needs no read of the tree, and locked so concurrent writers get contiguous indexes.
"""

import json

from django.db import models


class CanonicalJSONEncoder(json.JSONEncoder):
    """Store ``data`` exactly as it appears inside the entry's canonical JSON, so the
    column can be compared with the hashed text in SQL (see verify.py)."""

    def __init__(self, *args, **kwargs):
        kwargs.update(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        kwargs["allow_nan"] = False
        super().__init__(*args, **kwargs)


class AuditEntry(models.Model):
    """One leaf of the append-only audit log. ``index`` is its position in the tree."""

    index = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField()
    actor = models.CharField(max_length=64)
    action = models.CharField(max_length=64, db_index=True)
    target = models.CharField(max_length=128, db_index=True)
    data = models.JSONField(default=dict, encoder=CanonicalJSONEncoder)
    # Random hex inside the hashed text of a restricted entry (see visibility.py), so
    # its leaf hash cannot be confirmed by guessing the content. None: no salt.
    salt = models.CharField(max_length=64, null=True, blank=True)
    # The canonical JSON that is hashed into the tree, exactly as hashed.
    canonical = models.TextField()
    leaf_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["index"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.index} {self.action} {self.target}"


class AuditSubtree(models.Model):
    """The hash of a complete subtree: leaves [index * 2^level, (index + 1) * 2^level).

    Kept for levels 8, 16, 24, … (the rows of C2SP tlog-tiles above the leaves), written
    as appends close them, so any subtree hash needs at most 128 stored hashes and a
    proof at a million entries reads a handful of small ranges.
    """

    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["level", "index"], name="audit_subtree_unique"
            )
        ]

    def __str__(self) -> str:
        return f"subtree {self.level}/{self.index}"


class AuditHead(models.Model):
    """Where the log ends: size, the compact range (right-edge subtree hashes, largest
    first) and the root. One row, id 1; locked by every append."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(default=0)
    compact_range = models.BinaryField(default=b"")
    root_hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"audit log head at size {self.size}"


class AuditCheckpoint(models.Model):
    """A signed tree head: a C2SP tlog-checkpoint in signed-note form."""

    created_at = models.DateTimeField(db_index=True)
    origin = models.CharField(max_length=255)
    size = models.BigIntegerField(db_index=True)
    root_hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=8)
    note = models.TextField()
    # Who asked for it: a staff reference, or "system:…" for the periodic task.
    signed_by = models.CharField(max_length=64)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = ["created_at", "id"]

    def __str__(self) -> str:
        return f"checkpoint {self.origin} @ {self.size}"
