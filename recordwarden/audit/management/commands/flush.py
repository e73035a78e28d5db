"""``flush`` that can empty the append-only audit tables.

Django's ``flush`` (and every transactional test, which calls it between tests) would be
stopped by the audit log's UPDATE/DELETE triggers. This wraps it: outside production the
guards are lifted for the flush statement and put back straight after. In production
flush is refused: the audit log is evidence.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections

from recordwarden.audit.dbguard import append_only_lifted


class Command(DjangoFlush):
    help = DjangoFlush.help + " Refused in production (the audit log is evidence)."

    def handle(self, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                "flush is refused in production: it would erase the audit log."
            )
        connection = connections[options["database"]]
        with append_only_lifted(connection):
            return super().handle(**options)
