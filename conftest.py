"""Shared personas and helpers. Tests read like stories: `requester_police`, `reviewer`…"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
import yaml

EXAMPLES = Path(__file__).parent / "examples"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _test_keys(settings, tmp_path_factory):
    """Each test session uses its own data key, never the development one."""
    from recordwarden.core import crypto

    key_dir = tmp_path_factory.getbasetemp() / "keys"
    settings.DATA_KEY_FILE = key_dir / "data.key"
    settings.AUDIT_SIGNING_KEY_FILE = key_dir / "audit-signing.pem"
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    crypto.reset_key_cache()
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def agencies(db):
    from recordwarden.accounts.services import agency_load_registry

    entries = yaml.safe_load((EXAMPLES / "agencies.yaml").read_text())
    agency_load_registry(actor="system:test", entries=entries)
    from recordwarden.accounts.models import Agency

    return {a.key: a for a in Agency.objects.all()}


def make_staff(username: str, *roles: str):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from recordwarden.accounts.services import staff_create

    user = staff_create(
        actor="system:test",
        username=username,
        password="correct horse battery",
        roles=list(roles),
    )
    secret = base64.b32encode(os.urandom(20)).decode()
    user.totp = TOTPDevice.objects.create(
        user=user, name="phone", confirmed=True, key=base64.b32decode(secret).hex()
    )
    return user


def totp_now(device) -> str:
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def login_verified(client, user):
    """Log a staff member in with a verified second factor (as after a real TOTP log-in)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totp.persistent_id
    session.save()
    return client


def _staff_fixture(role: str):
    @pytest.fixture
    def fixture(db):
        return make_staff(role.replace("_", "-"), role)

    return fixture


intake_clerk = _staff_fixture("intake_clerk")
reviewer = _staff_fixture("reviewer")
counsel = _staff_fixture("counsel")
approver = _staff_fixture("approver")
auditor = _staff_fixture("auditor")
administrator = _staff_fixture("administrator")


@pytest.fixture
def second_reviewer(db):
    return make_staff("reviewer-two", "reviewer")


def _requester(agencies, key: str | None, username: str, email: str, name: str):
    from recordwarden.accounts.services import requester_create

    return requester_create(
        actor="system:test",
        name=name,
        email=email,
        agency=agencies[key] if key else None,
        password="correct horse battery",
        verified=key is not None,
        username=username,
    )


@pytest.fixture
def requester_police(agencies):
    return _requester(
        agencies,
        "abq-police",
        "officer",
        "dwhitehorse@abqpd.example.gov",
        "Officer Dana Whitehorse",
    )


@pytest.fixture
def requester_ice(agencies):
    return _requester(
        agencies, "ice-elpaso", "ice-analyst", "rdelgado@ice.example.gov", "R. Delgado"
    )


@pytest.fixture
def requester_csed(agencies):
    return _requester(
        agencies, "nm-csed", "csed", "cbaca@csed.example.nm.gov", "Carla Baca"
    )


@pytest.fixture
def requester_worker(agencies):
    return _requester(
        agencies, None, "worker", "luis.tapia@mail.example.com", "Luis M. Tapia"
    )


@pytest.fixture
def outsider(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        "outsider", password="correct horse battery"
    )


@pytest.fixture
def client_for(db):
    """client_for(user) returns a new client logged in as a persona; staff get a
    verified second factor."""
    from django.test import Client

    def _login(user):
        client = Client()
        if hasattr(user, "totp"):
            return login_verified(client, user)
        target = getattr(user, "user", user)
        client.force_login(target)
        return client

    return _login


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('NAME')}"


# --- Browser tests: Playwright driving the system Chromium -------------------------------
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason="browser test skipped: /usr/bin/chromium is not installed "
        "(apt-get install chromium; .ci/run does this)"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
        ],
    }


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page; returns violations (impact, id, help, nodes)."""
    # Loaded from the site itself (static/vendor/axe), so the strict CSP stays on.
    origin = "/".join(page.url.split("/", 3)[:3])
    page.add_script_tag(url=f"{origin}/static/vendor/axe/axe.min.js")
    result = page.evaluate("async () => await axe.run()")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def browser_login(page, live_server, user, password="correct horse battery"):
    """Sign in through the real form; staff type their current TOTP code."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill(
        "#id_username",
        user.get_username()
        if hasattr(user, "get_username")
        else user.user.get_username(),
    )
    page.fill("#id_password", password)
    if hasattr(user, "totp"):
        page.fill("#id_otp_token", totp_now(user.totp))
    page.click("button[type=submit]")
    page.wait_for_load_state()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
