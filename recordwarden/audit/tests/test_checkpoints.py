import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured

from recordwarden.audit import keys, merkle, note, tree
from recordwarden.audit.checkpoints import (
    CheckpointRefused,
    checkpoint_latest,
    checkpoint_sign,
)
from recordwarden.audit.models import AuditCheckpoint, AuditEntry
from recordwarden.audit.tests.helpers import as_db_admin, write_log

pytestmark = pytest.mark.django_db


def test_a_checkpoint_is_a_signed_c2sp_note_of_the_current_head(auditor, settings):
    write_log(10)
    checkpoint = checkpoint_sign(actor=auditor)
    size = AuditEntry.objects.count()
    root = tree.StoredTree().root(size)
    origin = settings.AUDIT_LOG_ORIGIN
    text = f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"
    assert checkpoint.note.startswith(text + "\n\u2014 " + origin + " ")
    verifier = keys.verifier()
    assert note.open_checkpoint(checkpoint.note, [verifier]).root == root
    assert checkpoint.size == size and checkpoint.root_hash == root.hex()
    assert checkpoint.key_id == verifier.key_id.hex()
    assert checkpoint.signed_by == f"user:{auditor.pk}"
    assert checkpoint_latest() == checkpoint


def test_the_verifier_key_is_published_in_the_note_key_format(db, settings):
    text = keys.verifier().text
    name, key_id, b64 = text.split("+", 2)
    assert name == settings.AUDIT_LOG_ORIGIN
    assert note.parse_verifier_key(text).key_id.hex() == key_id
    assert base64.b64decode(b64)[0] == 0x01


def test_an_unchanged_log_is_not_signed_twice(db):
    write_log(3)
    first = checkpoint_sign(actor="system:test")
    assert checkpoint_sign(actor="system:test") == first
    assert AuditCheckpoint.objects.count() == 1
    forced = checkpoint_sign(actor="system:test", force=True)
    assert forced.pk != first.pk and forced.size == first.size


def test_the_log_refuses_to_sign_a_head_that_does_not_extend_its_last_checkpoint(db):
    write_log(20)
    before = checkpoint_sign(actor="system:test")
    # Someone rewrites entry 3 and its leaf hash and rebuilds the head.
    row = AuditEntry.objects.get(index=3)
    forged = row.canonical.replace('"n":', '"n":1')
    leaf = merkle.leaf_hash(forged.encode()).hex()
    as_db_admin(
        (
            "UPDATE audit_auditentry SET canonical = %s, leaf_hash = %s WHERE id = %s",
            [forged, leaf, row.pk],
        ),
        ("DELETE FROM audit_audithead", []),
    )
    write_log(1)
    with pytest.raises(
        CheckpointRefused, match=f"does not extend checkpoint {before.size}"
    ):
        checkpoint_sign(actor="system:test")
    assert AuditCheckpoint.objects.count() == 1


def test_the_signing_key_is_created_in_development_and_required_in_production(
    db, settings, tmp_path
):
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "k" / "audit.pem"
    keys.reset_key_cache()
    try:
        verifier = keys.verifier()
        pem = settings.AUDIT_SIGNING_KEY_FILE.read_bytes()
        assert (settings.AUDIT_SIGNING_KEY_FILE.stat().st_mode & 0o777) == 0o600
        loaded = serialization.load_pem_private_key(pem, password=None)
        assert isinstance(loaded, Ed25519PrivateKey)
        assert note.verifier_for(verifier.name, loaded.public_key()) == verifier
        settings.PRODUCTION = True
        settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "missing.pem"
        with pytest.raises(ImproperlyConfigured, match="does not exist"):
            keys.signing_key()
    finally:
        keys.reset_key_cache()


def test_the_periodic_task_signs_and_queues_exactly_one_next_run(db):
    from django_tasks_db.models import DBTaskResult

    from recordwarden.audit import tasks

    write_log(4)
    assert tasks.schedule_next() is True
    assert tasks.schedule_next() is False  # one chain, however often started
    result = tasks.checkpoint_periodic.call()
    assert result["size"] == AuditEntry.objects.count()
    assert checkpoint_latest().signed_by == "system:checkpoint-task"
    queued = DBTaskResult.objects.filter(
        task_path=tasks.checkpoint_periodic.module_path
    )
    assert queued.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_db_worker_runs_the_queued_checkpoint_task():
    # Transactional: the worker closes its database connection when it is done.
    from django.core.management import call_command

    from recordwarden.audit import tasks

    write_log(2)
    tasks.checkpoint_periodic.enqueue()
    call_command(
        "db_worker", batch=True, startup_delay=False, reload=False, verbosity=0
    )
    assert checkpoint_latest().size == AuditEntry.objects.count()
