"""Each role reaches its own pages, is refused others, and anonymous users must sign in."""

import subprocess
import sys

import pytest
from django.conf import settings

from recordwarden.accounts.models import ApiToken
from recordwarden.accounts.services import api_token_authenticate, api_token_create

PERSONAS = [
    "administrator",
    "auditor",
    "reviewer",
    "intake_clerk",
    "approver",
    "counsel",
    "requester_police",
    "requester_ice",
    "outsider",
]

# page -> personas allowed; everyone else signed in gets 403, anonymous goes to log-in.
PAGES = {
    "/accounts/agencies/": {"administrator"},
    "/accounts/tokens/": {"requester_police", "requester_ice"},
}


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_reaches_only_its_pages(request, client_for, page, persona):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(page)
    expected = 200 if persona in PAGES[page] else 403
    assert response.status_code == expected, (persona, page)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_anonymous_visitors_are_sent_to_log_in(client, db, page):
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_an_unknown_page_is_a_plain_not_found(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_a_requester_sees_and_revokes_only_their_own_tokens(
    client_for, requester_police, requester_ice
):
    _, police_clear = api_token_create(
        actor="system:test", requester=requester_police, name="police cms"
    )
    ice_token, _ = api_token_create(
        actor="system:test", requester=requester_ice, name="ice system"
    )
    client = client_for(requester_police)
    page = client.get("/accounts/tokens/").content.decode()
    assert "police cms" in page and "ice system" not in page
    response = client.post("/accounts/tokens/", {"revoke": ice_token.pk})
    assert response.status_code == 404
    ice_token.refresh_from_db()
    assert ice_token.revoked_at is None
    assert api_token_authenticate(police_clear) == requester_police


def test_issuing_a_token_shows_it_once_and_stores_only_its_hash(
    client_for, requester_police
):
    from recordwarden.audit.models import AuditEntry

    response = client_for(requester_police).post("/accounts/tokens/", {"name": "cms"})
    clear = response.context["clear"]
    assert clear.startswith("rw_") and clear.encode() in response.content
    token = ApiToken.objects.get(requester=requester_police)
    assert token.token_hash == ApiToken.hash_token(clear)
    assert clear not in str(ApiToken.objects.values_list())
    entry = AuditEntry.objects.get(action="accounts.api_token_created")
    assert (
        entry.target == f"accounts.apitoken:{token.pk}" and clear not in entry.canonical
    )
    assert (
        client_for(requester_police)
        .get("/accounts/tokens/")
        .content.count(clear.encode())
        == 0
    )


def test_revoked_and_malformed_tokens_do_not_authenticate(requester_police):
    from recordwarden.accounts.services import api_token_revoke

    token, clear = api_token_create(
        actor="system:test", requester=requester_police, name="cms"
    )
    api_token_revoke(actor="system:test", token=token)
    assert api_token_authenticate(clear) is None
    assert api_token_authenticate("") is None
    assert api_token_authenticate("rw_" + "A" * 5000) is None


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    data_key = tmp_path / "data.key"
    data_key.write_text("ab" * 32)
    signing = tmp_path / "audit.pem"
    signing.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "RECORDWARDEN_ENV": "production",
        "SECRET_KEY": "k" * 30 + "9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1",
        "ALLOWED_HOSTS": "records.example.gov",
        "DATA_KEY_FILE": str(data_key),
        "AUDIT_SIGNING_KEY_FILE": str(signing),
        "RECORDWARDEN_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "RECORDWARDEN_ENV": "production",
        "ALLOWED_HOSTS": "records.example.gov",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
