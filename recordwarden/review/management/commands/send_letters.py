"""Issue and email the letters that decisions call for (the letters outbox). Safe to run
again: each decision's letter is issued and sent once."""

from django.core.management.base import BaseCommand

from recordwarden.review.letters import letters_dispatch


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=100)

    def handle(self, *args, limit: int, **options):
        sent = letters_dispatch(limit=limit)
        self.stdout.write(f"{sent} letter(s) sent.")
