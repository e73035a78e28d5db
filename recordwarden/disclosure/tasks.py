"""Background tasks (django-tasks, database backend): send due notices, purge expired
package content. Run them from cron through the commands, or queue them and keep a
``manage.py db_worker`` running; both paths call the same services."""

from __future__ import annotations

from django_tasks import task

ACTOR = "system:disclosure-task"


@task()
def send_notices_task() -> dict:
    from .notices import notices_send_due

    return notices_send_due(actor=ACTOR)


@task()
def purge_packages_task() -> dict:
    from .services import packages_purge_expired

    return {"purged": packages_purge_expired(actor=ACTOR)}
