import base64
import json

import pytest
from django.core.management import CommandError, call_command

from recordwarden.audit import keys, merkle, note
from recordwarden.audit.models import AuditCheckpoint
from recordwarden.audit.tests.helpers import write_log

pytestmark = pytest.mark.django_db
B64 = base64.b64decode


def test_audit_checkpoint_signs_and_prints_the_note(capsys):
    write_log(4)
    call_command("audit_checkpoint")
    printed = capsys.readouterr().out
    assert printed == AuditCheckpoint.objects.get().note
    assert note.open_checkpoint(printed, [keys.verifier()]).size >= 4


def test_audit_checkpoint_schedule_queues_the_periodic_task_once(capsys):
    from django_tasks_db.models import DBTaskResult

    call_command("audit_checkpoint", "--schedule")
    call_command("audit_checkpoint", "--schedule")
    assert DBTaskResult.objects.count() == 1
    assert "already queued" in capsys.readouterr().err


def test_audit_proof_prints_proofs_that_verify(capsys):
    write_log(40)
    call_command("audit_checkpoint")
    checkpoint = note.open_checkpoint(
        AuditCheckpoint.objects.get().note, [keys.verifier()]
    )
    capsys.readouterr()
    call_command("audit_proof", "inclusion", "17")
    inclusion = json.loads(capsys.readouterr().out)
    merkle.verify_inclusion(
        17,
        inclusion["size"],
        B64(inclusion["leaf_hash"]),
        [B64(p) for p in inclusion["proof"]],
        checkpoint.root,
    )
    call_command("audit_proof", "consistency", "10", str(checkpoint.size))
    consistency = json.loads(capsys.readouterr().out)
    merkle.verify_consistency(
        10,
        checkpoint.size,
        B64(consistency["first_root"]),
        checkpoint.root,
        [B64(p) for p in consistency["proof"]],
    )


def test_audit_proof_refuses_an_index_outside_the_log():
    write_log(3)
    with pytest.raises(CommandError, match="index must be between") as caught:
        call_command("audit_proof", "inclusion", "99", "--size", "3")
    assert caught.value.returncode == 2
