"""Run the policy's checks: Cedar validator and formatter, the scenario tables and,
with --exhaustive, the invariant check over every combination of facts."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recordwarden.policy import checks, engine, scenarios, verify


class Command(BaseCommand):
    help = "Run the policy's scenario tables (and optionally the exhaustive check)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--policy",
            "--policies",
            dest="policy",
            default=None,
            help="A policy directory or .cedar file (default: the shipped policies/).",
        )
        parser.add_argument(
            "--scenarios",
            default=None,
            help="Directory of scenario tables (default: policies/scenarios/).",
        )
        parser.add_argument(
            "--exhaustive",
            action="store_true",
            help="Also check every invariant over the whole domain of facts.",
        )

    def handle(self, *args, **options):
        failures = 0
        if options["policy"] is None or Path(options["policy"]).is_dir():
            for problem in checks.file_problems(options["policy"]):
                self.stdout.write(f"FAIL files: {problem}")
                failures += 1
        try:
            policy = engine.load_policy(options["policy"])
        except engine.PolicyError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Policy {policy.version} ({len(policy.rules)} rules)")
        results, gaps = scenarios.run_all(policy, options["scenarios"])
        for result in results:
            mark = "PASS" if result.passed else "FAIL"
            self.stdout.write(f"{mark} {result.row.source}: {result.row.case}")
            for problem in result.problems:
                self.stdout.write(f"     {problem}")
            failures += not result.passed
        for gap in gaps:
            self.stdout.write(f"FAIL coverage: {gap}")
        failures += len(gaps)
        if options["exhaustive"]:
            report = verify.check(policy)
            self.stdout.write(report.summary())
            failures += len(report.violations)
        passed = sum(r.passed for r in results)
        self.stdout.write(f"{passed} of {len(results)} scenario rows passed.")
        if failures:
            raise CommandError(f"{failures} policy check(s) failed.")
