"""Resolve subjects from a JSON-lines file against the records, one result line each:
{"id", "outcome", "worker_id", "candidates": [{"worker_id", "weight"}], "elapsed_ms"}.
With import_workers this lets an agency evaluate the matcher on its own data."""

import hashlib
import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from recordwarden.audit.services import audit_record
from recordwarden.matching import constants as c
from recordwarden.matching import engine, modelstore
from recordwarden.matching.index import DbIndex
from recordwarden.matching.queries import read_queries
from recordwarden.records.models import Worker


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("queries", type=Path)
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args, queries, out, **options):
        try:
            people = list(read_queries(queries))
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        model_row, model = modelstore.active_model()
        index = DbIndex()
        results = []
        for person in people:
            started = time.perf_counter()
            resolution = engine.resolve(person, index, model)
            elapsed = (time.perf_counter() - started) * 1000
            results.append((person.id, resolution, elapsed))
        ids = {c.id for _, r, _ in results for c in r.candidates}
        public = dict(Worker.objects.filter(id__in=ids).values_list("id", "worker_id"))
        with open(out, "w", encoding="utf-8") as fh:
            for query_id, resolution, elapsed in results:
                best = resolution.best
                line = {
                    "id": query_id,
                    "outcome": resolution.outcome,
                    "worker_id": public.get(best.id)
                    if best and resolution.outcome == engine.MATCH
                    else None,
                    "candidates": [
                        {
                            "worker_id": public.get(cand.id),
                            "weight": round(cand.weight, 2),
                        }
                        for cand in resolution.candidates
                    ],
                    "elapsed_ms": round(elapsed, 3),
                }
                fh.write(json.dumps(line) + "\n")
        digest = hashlib.sha256(queries.read_bytes()).hexdigest()
        with transaction.atomic():
            audit_record(
                actor="system:resolve_subjects",
                action=c.BATCH_RESOLVED,
                target="matching:batch",
                data={
                    "queries_sha256": digest,
                    "subjects": len(results),
                    "matcher_model": model_row.pk if model_row else None,
                },
            )
        counts = {}
        for _, r, _ in results:
            counts[r.outcome] = counts.get(r.outcome, 0) + 1
        summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
        self.stdout.write(
            self.style.SUCCESS(f"Resolved {len(results)} subjects: {summary}.")
        )
