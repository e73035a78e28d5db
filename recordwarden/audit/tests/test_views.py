import pytest

from recordwarden.audit import keys
from recordwarden.audit.checkpoints import checkpoint_sign
from recordwarden.audit.models import AuditCheckpoint
from recordwarden.audit.tests.helpers import write_log

pytestmark = pytest.mark.django_db


def test_the_auditor_sees_checkpoint_size_key_and_recent_entries(client_for, auditor):
    write_log(3)
    checkpoint = checkpoint_sign(actor="system:test")
    page = client_for(auditor).get("/audit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert keys.verifier().text in html
    assert f'<strong id="tree-size">{checkpoint.size}</strong>' in html
    assert "accounts.staff_role_granted" in html
    assert checkpoint.note.splitlines()[2] in html


def test_the_administrator_may_see_it_too(client_for, administrator):
    assert client_for(administrator).get("/audit/").status_code == 200


@pytest.mark.parametrize("persona", ["reviewer", "intake_clerk", "outsider"])
def test_other_roles_are_refused(client_for, persona, request):
    user = request.getfixturevalue(persona)
    assert client_for(user).get("/audit/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get("/audit/")
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_the_auditor_can_sign_a_checkpoint_now(client_for, auditor):
    write_log(2)
    response = client_for(auditor).post("/audit/checkpoint/sign/")
    assert response.status_code == 302
    assert AuditCheckpoint.objects.get().signed_by == f"user:{auditor.pk}"


def test_a_reviewer_cannot_sign_a_checkpoint(client_for, reviewer):
    assert client_for(reviewer).post("/audit/checkpoint/sign/").status_code == 403
    assert not AuditCheckpoint.objects.exists()


def test_the_checkpoint_file_is_public_text(client, db):
    assert client.get("/audit/checkpoint.txt").status_code == 404
    write_log(2)
    checkpoint = checkpoint_sign(actor="system:test")
    response = client.get("/audit/checkpoint.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == checkpoint.note


def test_the_verifier_key_file_is_public(client, db):
    response = client.get("/audit/verifier-key.txt")
    assert response.content.decode() == keys.verifier().text + "\n"
