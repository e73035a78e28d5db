"""Seed a demo: the agency registry, staff and requester log-ins, a small synthetic state,
and the founding case. Safe to run twice (it skips what is already there)."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from recordwarden.accounts.constants import Role
from recordwarden.accounts.models import Agency, Requester
from recordwarden.accounts.services import requester_create, staff_create

EXAMPLES = Path(settings.BASE_DIR) / "examples"
# The demo password is printed on screen; seed_demo refuses to run in production.
DEMO_PASSWORD = "recordwarden-demo"  # noqa: S105  # nosec B105
# Fixed base32 secrets so the printed codes can be added to an authenticator app.
STAFF = [
    ("clerk", [Role.INTAKE_CLERK], "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXA"),
    ("reviewer", [Role.REVIEWER], "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXB"),
    ("counsel", [Role.COUNSEL, Role.REVIEWER], "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXC"),
    ("approver", [Role.APPROVER], "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXD"),
    ("auditor", [Role.AUDITOR], "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXE"),
    ("admin", [Role.ADMINISTRATOR], "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXF"),
]
REQUESTERS = [
    (
        "officer",
        "Officer Dana Whitehorse",
        "dwhitehorse@abqpd.example.gov",
        "abq-police",
    ),
    ("csed", "Carla Baca, Caseworker", "cbaca@csed.example.nm.gov", "nm-csed"),
    ("ice", "R. Delgado", "rdelgado@ice.example.gov", "ice-elpaso"),
    ("worker", "Luis M. Tapia", "luis.tapia@mail.example.com", None),
]


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=505)

    def handle(self, *args, workers: int, seed: int, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo creates known passwords; never in production."
            )
        call_command(
            "load_agencies", str(EXAMPLES / "agencies.yaml"), stdout=self.stdout
        )
        self._staff()
        self._requesters()
        call_command("synthesize_state", workers=workers, seed=seed, if_empty=True)
        from recordwarden.review.demo import founding_case_seed

        founding_case_seed(stdout=self.stdout)
        from recordwarden.disclosure.demo import disclosure_seed

        disclosure_seed(stdout=self.stdout)
        # A signed checkpoint, so the transparency page and outside verifiers have a head.
        call_command("audit_checkpoint", stdout=self.stdout)
        self._print_logins()

    def _staff(self):
        User = get_user_model()
        for username, roles, secret in STAFF:
            if User.objects.filter(username=username).exists():
                continue
            user = staff_create(
                actor="system:seed_demo",
                username=username,
                password=DEMO_PASSWORD,
                roles=list(roles),
            )
            import base64

            TOTPDevice.objects.create(
                user=user,
                name="demo",
                confirmed=True,
                key=base64.b32decode(secret).hex(),
            )

    def _requesters(self):
        for username, name, email, agency_key in REQUESTERS:
            if Requester.objects.filter(email=email).exists():
                continue
            agency = Agency.objects.get(key=agency_key) if agency_key else None
            requester_create(
                actor="system:seed_demo",
                name=name,
                email=email,
                agency=agency,
                password=DEMO_PASSWORD,
                verified=agency is not None,
                username=username,
            )

    def _print_logins(self):
        out = self.stdout.write
        out("")
        out(f"Demo log-ins (password for all: {DEMO_PASSWORD})")
        out(
            "  staff need a six-digit code: `.venv/bin/python manage.py totp_code USER`"
        )
        out("  or add the secret to an authenticator app.")
        for username, roles, secret in STAFF:
            out(
                f"  staff      {username:<10} {', '.join(roles):<28} TOTP secret {secret}"
            )
        for username, name, _email, agency in REQUESTERS:
            out(f"  requester  {username:<10} {name} ({agency or 'worker'})")
        out("")
