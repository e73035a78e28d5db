"""verify_audit detects every kind of tampering the issue names, each for its own
reason (the guards are put back after each edit, so nothing else fails)."""

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.utils import timezone

from recordwarden.audit import keys, merkle, note, tree
from recordwarden.audit.checkpoints import checkpoint_sign
from recordwarden.audit.models import AuditCheckpoint, AuditEntry
from recordwarden.audit.tests.helpers import as_db_admin, write_log
from recordwarden.audit.verify import verify_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_log(db):
    write_log(300)
    return checkpoint_sign(actor="system:test")


def _kinds(result):
    return set(result._counts)


def test_an_untouched_log_verifies(signed_log):
    write_log(5)  # entries after the checkpoint are fine
    result = verify_log(against=signed_log.note)
    assert result.ok, result.problems
    assert result.size == AuditEntry.objects.count()
    assert result.latest_checkpoint_size == signed_log.size
    assert result.against_size == signed_log.size


def test_an_updated_entry_is_detected(signed_log):
    row = AuditEntry.objects.get(index=7)
    forged = row.canonical.replace('"role":"reviewer"', '"role":"auditor"')
    as_db_admin(
        ("UPDATE audit_auditentry SET canonical = %s WHERE id = %s", [forged, row.pk])
    )
    result = verify_log()
    assert not result.ok
    assert "entry 7: its text does not hash to its stored leaf hash" in "\n".join(
        result.problems
    )
    assert {"leaf", "history"} <= _kinds(result)


def test_an_updated_entry_with_a_recomputed_leaf_hash_is_detected(signed_log):
    row = AuditEntry.objects.get(index=7)
    forged = row.canonical.replace('"role":"reviewer"', '"role":"auditor"')
    leaf = merkle.leaf_hash(forged.encode()).hex()
    as_db_admin(
        (
            "UPDATE audit_auditentry SET canonical = %s, leaf_hash = %s, data = %s "
            "WHERE id = %s",
            [forged, leaf, '{"n":7,"role":"auditor"}', row.pk],
        )
    )
    result = verify_log()
    assert "leaf" not in _kinds(result)
    assert "history" in _kinds(result)  # the signed root no longer matches
    assert "subtree" in _kinds(result) and "head" in _kinds(result)


def test_an_edit_of_the_shown_columns_only_is_detected(signed_log):
    row = AuditEntry.objects.get(index=9)
    as_db_admin(
        (
            "UPDATE audit_auditentry SET target = %s WHERE id = %s",
            ["accounts.user:1", row.pk],
        )
    )
    result = verify_log()
    assert _kinds(result) == {"columns"}
    assert result.problems[0].startswith("entry 9: its columns")


def test_a_deleted_entry_is_detected(signed_log):
    as_db_admin(('DELETE FROM audit_auditentry WHERE "index" = 100', []))
    result = verify_log()
    assert "position 100 holds entry 101" in "\n".join(result.problems)
    assert {"order", "truncation"} <= _kinds(result)
    # Padding the log back to its signed size does not hide it.
    write_log(1)
    result = verify_log()
    assert {"order", "history"} <= _kinds(result)


def test_reordered_entries_are_detected(signed_log):
    a, b = AuditEntry.objects.get(index=20), AuditEntry.objects.get(index=21)
    # Swap the two rows' positions (their texts keep their own index).
    as_db_admin(
        ('UPDATE audit_auditentry SET "index" = -1 WHERE id = %s', [a.pk]),
        ('UPDATE audit_auditentry SET "index" = 20 WHERE id = %s', [b.pk]),
        ('UPDATE audit_auditentry SET "index" = 21 WHERE id = %s', [a.pk]),
    )
    result = verify_log()
    assert {"columns", "history"} <= _kinds(result)
    assert any(p.startswith("entry 20: its columns") for p in result.problems)


def test_truncation_is_detected(signed_log):
    as_db_admin(('DELETE FROM audit_auditentry WHERE "index" >= 290', []))
    result = verify_log()
    assert "truncation" in _kinds(result)
    assert "covers 300 entries but the log now has 290" in "\n".join(result.problems)


def test_a_forged_checkpoint_is_detected(signed_log, settings):
    origin = settings.AUDIT_LOG_ORIGIN
    root = merkle.leaf_hash(b"whatever I like")
    body = note.Checkpoint(origin, 300, root)
    forged = note.sign_checkpoint(body, origin, Ed25519PrivateKey.generate())
    AuditCheckpoint.objects.create(
        created_at=timezone.now(),
        origin=origin,
        size=300,
        root_hash=root.hex(),
        key_id="00000000",
        note=forged,
        signed_by="system:forger",
    )
    result = verify_log()
    assert _kinds(result) == {"checkpoint"}
    assert "bad signature" in result.problems[0]


def test_a_checkpoint_whose_text_was_altered_is_detected(signed_log):
    text, _, sigs = signed_log.note.partition("\n\n")
    altered = text.replace("\n300\n", "\n299\n") + "\n\n" + sigs
    as_db_admin(
        (
            "UPDATE audit_auditcheckpoint SET note = %s WHERE id = %s",
            [altered, signed_log.pk],
        )
    )
    result = verify_log()
    assert _kinds(result) == {"checkpoint"}


def _rewrite_history_and_resign() -> None:
    """The worst case: someone with the database and the signing key rewrites entry
    5, rebuilds every hash, removes the old checkpoints and signs a new one."""
    row = AuditEntry.objects.get(index=5)
    forged = row.canonical.replace('"role":"reviewer"', '"role":"auditor"')
    leaf = merkle.leaf_hash(forged.encode()).hex()
    as_db_admin(
        (
            "UPDATE audit_auditentry SET canonical = %s, leaf_hash = %s, data = %s "
            "WHERE id = %s",
            [forged, leaf, '{"n":5,"role":"auditor"}', row.pk],
        ),
        ("DELETE FROM audit_auditsubtree", []),
        ("DELETE FROM audit_auditcheckpoint", []),
        ("DELETE FROM audit_audithead", []),
    )
    leaves = [
        bytes.fromhex(h)
        for h in AuditEntry.objects.order_by("index").values_list(
            "leaf_hash", flat=True
        )
    ]
    tree_rows = tree.subtree_rows_for(leaves)
    from recordwarden.audit.models import AuditSubtree

    AuditSubtree.objects.bulk_create(tree_rows)
    checkpoint_sign(actor="system:attacker")


def test_a_rewritten_history_resigned_with_the_real_key_passes_alone(signed_log):
    _rewrite_history_and_resign()
    # Self-consistent: only an independently kept checkpoint can tell.
    assert verify_log().ok


def test_a_rewritten_history_is_detected_against_an_earlier_checkpoint(signed_log):
    kept = signed_log.note
    _rewrite_history_and_resign()
    result = verify_log(against=kept)
    assert _kinds(result) == {"history"}
    assert "kept checkpoint (size 300)" in result.problems[0]


def test_a_kept_checkpoint_under_a_key_the_verifier_does_not_trust_fails(signed_log):
    stranger = note.verifier_for(
        keys.origin(), Ed25519PrivateKey.generate().public_key()
    )
    result = verify_log(against=signed_log.note, verifier_keys=[stranger.text])
    assert _kinds(result) == {"against"}


def test_missing_guards_are_reported(signed_log):
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_auditentry_no_delete")
        else:
            cursor.execute(
                "ALTER TABLE audit_auditentry DISABLE TRIGGER audit_auditentry_append_only"
            )
    result = verify_log()
    assert _kinds(result) == {"guard"}


# --- the command -------------------------------------------------------------------


def test_verify_audit_prints_verified_and_exits_zero(signed_log, capsys, tmp_path):
    kept = tmp_path / "checkpoint.txt"
    kept.write_text(signed_log.note)
    call_command("verify_audit", "--against", str(kept), "--key", keys.verifier().text)
    out = capsys.readouterr().out
    assert "VERIFIED: 300 entries" in out
    assert "kept checkpoint of size 300 checked" in out


def test_verify_audit_exits_one_with_the_reason_on_tampering(
    signed_log, capsys, tmp_path
):
    kept = tmp_path / "checkpoint.txt"
    kept.write_text(signed_log.note)
    _rewrite_history_and_resign()
    with pytest.raises(CommandError, match="did NOT verify") as caught:
        call_command("verify_audit", "--against", str(kept))
    assert caught.value.returncode == 1
    assert "FAILED: the kept checkpoint (size 300)" in capsys.readouterr().err


def test_verify_audit_exits_two_on_an_unreadable_file(db, tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit", "--against", str(tmp_path / "nope.txt"))
    assert caught.value.returncode == 2


def test_a_data_edit_that_python_would_call_equal_is_still_detected(signed_log):
    from recordwarden.audit import actions
    from recordwarden.audit.services import audit_record

    entry = audit_record(
        actor="system:test",
        action=actions.LOGIN_LOCKED,
        target="x",
        data={"flag": True},
    )
    as_db_admin(
        (
            "UPDATE audit_auditentry SET data = %s WHERE id = %s",
            ['{"flag":1}', entry.pk],
        )
    )
    result = verify_log()
    assert _kinds(result) == {"columns"}
    assert result.problems[0].startswith(f"entry {entry.index}: its columns")


def test_salted_restricted_entries_verify_and_their_salt_column_is_checked(db):
    from recordwarden.audit.tests.helpers import write_restricted

    write_log(3)
    salted = write_restricted(4)
    checkpoint_sign(actor="system:test")
    result = verify_log()
    assert result.ok, result.problems
    assert not result.notes or "no salt" not in " ".join(result.notes)
    row = salted[1]
    as_db_admin(
        (
            "UPDATE audit_auditentry SET salt = %s WHERE id = %s",
            ["0" * 32, AuditEntry.objects.get(index=row.index).pk],
        )
    )
    result = verify_log()
    assert _kinds(result) == {"columns"}
    assert f"entry {row.index}: its columns" in "\n".join(result.problems)


def test_restricted_entries_written_without_a_salt_are_noted(db):
    from recordwarden.audit import actions
    from recordwarden.audit.services import canonical_json

    entry = write_log(1)[0]
    # An entry of a restricted action as written before entries were salted.
    body = json.loads(entry.canonical)
    body.update(index=1, action=actions.RECORD_READ)
    text = canonical_json(body)
    as_db_admin(
        (
            'INSERT INTO audit_auditentry ("index", created_at, actor, action, '
            "target, data, canonical, leaf_hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [
                1,
                entry.created_at,
                entry.actor,
                actions.RECORD_READ,
                entry.target,
                json.dumps(entry.data, sort_keys=True, separators=(",", ":")),
                text,
                merkle.leaf_hash(text.encode()).hex(),
            ],
        )
    )
    result = verify_log()
    assert "1 restricted entries carry no salt" in " ".join(result.notes)
