"""Print the screening of a request: flags, instrument, subjects and their match outcomes,
per-element policy outcomes with rule ids, the recommendation and related requests.

Shows the current screening (running one if there is none); --rerun screens again."""

import json

from django.core.management.base import BaseCommand, CommandError

from recordwarden.intake.models import Request
from recordwarden.review.report import screening_data
from recordwarden.review.screening import latest_for, screening_run


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("reference")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--rerun", action="store_true", help="screen again first")

    def handle(self, *args, reference, json: bool, rerun: bool, **options):
        request = Request.objects.select_related("agency").filter(reference=reference)
        request = request.first()
        if request is None:
            raise CommandError(f"No request {reference}.")
        screening = latest_for(request)
        if screening is None or rerun:
            screening = screening_run(actor="system:screen", request=request)
        data = screening_data(request, screening)
        if json:
            self.stdout.write(_dumps(data))
            return
        self._print(data)

    def _print(self, data):
        out = self.stdout.write
        out(
            f"{data['reference']}  {data['status']}  agency={data['agency']}  "
            f"instrument={data['instrument']}"
        )
        out(f"recommendation: {data['recommendation']}")
        out(f"flags: {', '.join(data['flags']) or '(none)'}")
        for subject in data["subjects"]:
            name = " ".join(
                p
                for p in (
                    subject["first_name"],
                    subject["middle_name"],
                    subject["last_name"],
                )
                if p
            )
            out(f"subject: {name}  dob={subject['dob']}  match={subject['match']}")
        for element, finding in data["policy"].items():
            out(
                f"element {element}: {finding['outcome']}  "
                f"rules={','.join(finding['rule_ids']) or '-'}"
            )
        for related in data["related"]:
            out(f"related: {related['reference']} ({', '.join(related['relations'])})")


def _dumps(data) -> str:
    return json.dumps(data, indent=2, sort_keys=True, default=str)
