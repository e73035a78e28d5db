"""Record a decision from the command line, through the same services, permissions and
audit entries as the review page.

  decide REF --deny REASON_CODE[,CODE] --by USERNAME [--reasons TEXT]
  decide REF --approve ELEMENT[,ELEMENT] --by USERNAME   (once per signer)
  decide REF --quash --by USERNAME
  decide REF --judicial-order --by USERNAME

The first --approve (by a reviewer or counsel) sends the listed elements for signature
and denies the rest; each later --approve by an approver or counsel signs that release,
and must list the same elements. A received request is taken into review first. The
named staff member must hold the role; the operator running this has shell access, so no
second factor is asked for here."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from recordwarden.accounts.constants import Role
from recordwarden.core.exceptions import RecordwardenError
from recordwarden.intake.constants import RequestStatus
from recordwarden.intake.models import Request
from recordwarden.review import services
from recordwarden.review.constants import (
    RELEASING_ACTIONS,
    DecisionState,
    ElementAction,
    SignatureRole,
)
from recordwarden.review.letters import letter_issue
from recordwarden.review.permissions import holds


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("reference")
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--deny", metavar="REASON_CODES")
        group.add_argument("--approve", metavar="ELEMENTS")
        group.add_argument("--quash", action="store_true")
        group.add_argument("--judicial-order", action="store_true")
        parser.add_argument("--by", required=True, metavar="USERNAME")
        parser.add_argument("--reasons", default="")

    def handle(self, *args, reference, by, reasons, **options):
        actor = get_user_model().objects.filter(username=by, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active staff member {by}.")
        request = Request.objects.filter(reference=reference).first()
        if request is None:
            raise CommandError(f"No request {reference}.")
        try:
            decision = self._decide(actor, request, options, reasons)
            if decision.state == DecisionState.FINAL:
                letter_issue(actor=actor, decision=decision)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except RecordwardenError as exc:
            raise CommandError(str(exc)) from exc
        request.refresh_from_db()
        self.stdout.write(
            f"{reference}: {decision.kind} decision {decision.pk} is {decision.state}; "
            f"the request is {request.status}."
        )

    def _start_if_received(self, actor, request):
        if request.status == RequestStatus.RECEIVED:
            services.review_start(actor=actor, request=request)

    def _decide(self, actor, request, options, reasons):
        if options["approve"]:
            return self._approve(actor, request, _csv(options["approve"]), reasons)
        self._start_if_received(actor, request)
        if options["deny"]:
            return services.review_decide(
                actor=actor,
                request=request,
                kind="deny",
                reason_codes=_csv(options["deny"]),
                reasons=reasons,
            )
        kind = "quash" if options["quash"] else "judicial_order"
        return services.review_decide(
            actor=actor, request=request, kind=kind, reasons=reasons
        )

    def _approve(self, actor, request, elements, reasons):
        if request.status == RequestStatus.AWAITING_APPROVAL:
            return self._sign(actor, request, elements)
        self._start_if_received(actor, request)
        specs = {
            element: {
                "action": ElementAction.APPROVE
                if element in elements
                else ElementAction.DENY,
                "reason": reasons,
            }
            for element in request.elements or []
        }
        unknown = sorted(set(elements) - set(specs))
        if unknown:
            raise CommandError(
                f"Not asked for in {request.reference}: {', '.join(unknown)}"
            )
        return services.review_decide(
            actor=actor,
            request=request,
            kind="release",
            elements=specs,
            reasons=reasons,
        )

    def _sign(self, actor, request, elements):
        pending = request.decisions.filter(state=DecisionState.PENDING).first()
        if pending is None:
            raise CommandError("No release is waiting for signatures.")
        released = sorted(
            e.element for e in pending.elements.all() if e.action in RELEASING_ACTIONS
        )
        if sorted(elements) != released:
            raise CommandError(
                f"The release waiting for signatures is of {', '.join(released)}; "
                "sign for exactly those elements."
            )
        if not holds(actor, Role.APPROVER, Role.COUNSEL):
            raise CommandError(
                f"{actor.username} is neither an approver nor counsel; the release "
                "waits for their signature."
            )
        role = SignatureRole.APPROVER if holds(actor, Role.APPROVER) else "counsel"
        if (
            role == SignatureRole.APPROVER
            and pending.escalated
            and holds(actor, Role.COUNSEL)
            and pending.signatures.filter(role=SignatureRole.APPROVER).exists()
        ):
            role = SignatureRole.COUNSEL
        return services.decision_sign(actor=actor, decision=pending, role=role)
