"""Estimate the subject-matching model from the agency's own data and make it the one
in use: u and name frequencies from the workers, m by EM over the candidates of the
subjects on file plus any --queries file (JSON lines, as resolve_subjects reads)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recordwarden.core.exceptions import Conflict
from recordwarden.matching.queries import read_queries
from recordwarden.matching.services import matcher_train


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--queries", type=Path, help="JSON lines of past subjects")
        parser.add_argument(
            "--sample",
            type=int,
            default=50_000,
            help="workers sampled for chance agreement (u)",
        )
        parser.add_argument(
            "--pairs",
            type=int,
            default=200_000,
            help="random pairs of workers compared for u",
        )
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, queries, sample, pairs, seed, **options):
        try:
            people = list(read_queries(queries)) if queries else []
            row = matcher_train(
                actor="system:train_matcher",
                queries=people,
                sample_size=sample,
                u_pairs=pairs,
                seed=seed,
            )
        except (ValueError, OSError, Conflict) as exc:
            raise CommandError(str(exc)) from exc
        info = row.params.get("info", {})
        self.stdout.write(
            self.style.SUCCESS(
                f"Matcher model {row.pk}: {row.population:,} workers, "
                f"{info.get('queries', 0):,} training subjects, "
                f"{info.get('candidate_pairs', 0):,} candidate pairs, "
                f"EM share in records {info.get('em_share_in_records')}."
            )
        )
