from django.db import models


class AuditEntry(models.Model):
    """One leaf of the append-only audit log. ``index`` is its position in the tree."""

    index = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField()
    actor = models.CharField(max_length=64)
    action = models.CharField(max_length=64, db_index=True)
    target = models.CharField(max_length=128, db_index=True)
    data = models.JSONField(default=dict)
    # The canonical JSON that is hashed into the tree, exactly as hashed.
    canonical = models.TextField()
    leaf_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["index"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.index} {self.action} {self.target}"
