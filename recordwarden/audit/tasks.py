"""The periodic checkpoint: sign the tree head every AUDIT_CHECKPOINT_INTERVAL_SECONDS.

The task signs (if the log grew) and queues its own next run, unless one is already
queued, so one chain runs however often it is started. Start it once with
``manage.py audit_checkpoint --schedule`` and keep a ``manage.py db_worker`` running
(or run ``manage.py audit_checkpoint`` from cron instead).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task

DEFAULT_INTERVAL_SECONDS = 600


def interval() -> dt.timedelta:
    seconds = getattr(settings, "AUDIT_CHECKPOINT_INTERVAL_SECONDS", None)
    return dt.timedelta(seconds=seconds or DEFAULT_INTERVAL_SECONDS)


def _already_queued() -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=checkpoint_periodic.module_path, status=TaskResultStatus.READY
    ).exists()


def schedule_next(delay: dt.timedelta | None = None) -> bool:
    """Queue the next periodic run unless one is queued; True if it queued one."""
    if _already_queued():
        return False
    run_after = timezone.now() + (interval() if delay is None else delay)
    checkpoint_periodic.using(run_after=run_after).enqueue()
    return True


@task()
def checkpoint_periodic() -> dict:
    from .checkpoints import checkpoint_sign

    checkpoint = checkpoint_sign(actor="system:checkpoint-task")
    schedule_next()
    return {"size": checkpoint.size, "root": checkpoint.root_hash}
