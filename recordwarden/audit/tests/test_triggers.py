"""The database itself refuses UPDATE and DELETE on the audit tables."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from recordwarden.audit import actions
from recordwarden.audit.checkpoints import checkpoint_sign
from recordwarden.audit.dbguard import append_only_lifted, missing_triggers
from recordwarden.audit.models import AuditCheckpoint, AuditEntry, AuditSubtree
from recordwarden.audit.services import audit_record
from recordwarden.audit.tests.helpers import write_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(db):
    return audit_record(actor="system:test", action=actions.LOGIN_LOCKED, target="x")


def _refused(sql, params=()):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, list(params))


def test_all_guards_are_installed_by_the_migration(db):
    assert missing_triggers(connection) == []


def test_an_update_of_an_entry_raises(entry):
    _refused("UPDATE audit_auditentry SET action = 'x' WHERE id = %s", [entry.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(target="changed")
    entry.refresh_from_db()
    assert entry.target == "x"


def test_a_delete_of_an_entry_raises(entry):
    _refused("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_subtree_and_checkpoint_rows_are_append_only_too(db):
    write_log(300)
    checkpoint = checkpoint_sign(actor="system:test")
    subtree = AuditSubtree.objects.first()
    _refused("UPDATE audit_auditsubtree SET level = 16 WHERE id = %s", [subtree.pk])
    _refused("DELETE FROM audit_auditsubtree WHERE id = %s", [subtree.pk])
    _refused("UPDATE audit_auditcheckpoint SET size = 1 WHERE id = %s", [checkpoint.pk])
    _refused("DELETE FROM audit_auditcheckpoint WHERE id = %s", [checkpoint.pk])
    assert AuditCheckpoint.objects.get(pk=checkpoint.pk).size == checkpoint.size


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL")
def test_truncate_raises_on_postgresql(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_auditentry")


def test_guards_come_back_after_being_lifted(entry):
    with append_only_lifted(connection):
        assert missing_triggers(connection)
    assert missing_triggers(connection) == []
    _refused("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_can_still_flush_the_database():
    # Django empties every table after this test with manage.py flush; our flush
    # override lifts the guards for that statement only. Writing here proves the
    # teardown of the *previous* transactional test worked too.
    audit_record(actor="system:test", action=actions.LOGIN_LOCKED, target="x")
    assert missing_triggers(connection) == []


@pytest.mark.django_db(transaction=True)
def test_manage_py_flush_empties_the_log_and_puts_the_guards_back():
    from django.core.management import call_command

    audit_record(actor="system:test", action=actions.LOGIN_LOCKED, target="x")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists()
    assert missing_triggers(connection) == []
    entry = audit_record(actor="system:test", action=actions.LOGIN_LOCKED, target="y")
    assert entry.index == 0


def test_flush_is_refused_in_production(db, settings):
    from django.core.management import CommandError, call_command

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refused in production"):
        call_command("flush", interactive=False, verbosity=0)
