"""manage.py ingest_mail: files, folders, mbox, Maildir, and IMAP (the server is faked:
it is the part that leaves the machine)."""

from __future__ import annotations

import io
import json
import mailbox
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from recordwarden.intake.models import Request, Submission

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "requests"


def _run(*args) -> str:
    out = io.StringIO()
    call_command("ingest_mail", *args, stdout=out)
    return out.getvalue()


def test_a_folder_of_examples_prints_what_each_message_became(agencies):
    lines = [json.loads(x) for x in _run(str(EXAMPLES), "--json").splitlines()]
    assert [Path(x["source"]).name for x in lines] == sorted(
        p.name for p in EXAMPLES.glob("*.eml")
    )
    by_name = {Path(x["source"]).name: x for x in lines}
    assert by_name["01-direct-access.eml"]["outcome"] == "created"
    assert by_name["02-re-ask-other-staff.eml"]["outcome"] == "joined"
    assert (
        by_name["02-re-ask-other-staff.eml"]["reference"]
        == by_name["01-direct-access.eml"]["reference"]
    )
    warrant = by_name["04-police-warrant.eml"]["extracted"]
    assert warrant["instrument"] == "judicial_warrant"
    assert warrant["case_number"] == "26-087112"
    assert warrant["subjects"][0]["last_name"] == "Keller"
    again = _run(str(EXAMPLES / "04-police-warrant.eml"))
    assert ": duplicate RW-" in again
    assert Submission.objects.count() == 8


def test_an_mbox_and_a_maildir_are_read_message_by_message(agencies, tmp_path):
    box = mailbox.mbox(str(tmp_path / "records.mbox"))
    for name in ("03-child-support.eml", "04-police-warrant.eml"):
        box.add(mailbox.mboxMessage((EXAMPLES / name).read_bytes()))
    box.flush()
    box.close()
    out = _run(str(tmp_path / "records.mbox"))
    assert out.count(": created RW-") == 2
    maildir = mailbox.Maildir(str(tmp_path / "Maildir"), create=True)
    maildir.add((EXAMPLES / "08-clerk-subpoena.eml").read_bytes())
    out = _run(str(tmp_path / "Maildir"), "--inbox", "Legal@DWS.example.nm.gov")
    assert "created RW-" in out and "(needs a clerk)" in out
    assert Submission.objects.get(message_id__contains="sdt-0212").inbox == (
        "legal@dws.example.nm.gov"
    )
    assert Request.objects.count() == 3


def test_a_single_junk_file_is_kept_and_sent_to_triage(agencies, tmp_path):
    junk = tmp_path / "junk.eml"
    junk.write_bytes(bytes(range(256)) * 40)
    out = _run(str(junk))
    assert ": triage no request (needs a clerk)" in out
    assert Submission.objects.get().raw_bytes() == junk.read_bytes()


def test_bad_arguments_are_plain_errors(db, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        _run(str(tmp_path / "nothing-here"))
    with pytest.raises(CommandError, match="not both"):
        _run()
    with pytest.raises(CommandError, match="IMAP_PASSWORD"):
        _run("--imap", "mail.example.gov", "--user", "records")


class FakeImap:
    """Stands in for the IMAP server: the network is the only thing faked here."""

    instances: list = []

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.messages = {
            b"7": (EXAMPLES / "01-direct-access.eml").read_bytes(),
            b"9": (EXAMPLES / "02-re-ask-other-staff.eml").read_bytes(),
        }
        self.calls: list = []
        self.seen: list = []
        FakeImap.instances.append(self)

    def login(self, user, password):
        self.calls.append(("login", user, password))
        return "OK", [b"logged in"]

    def select(self, name):
        self.calls.append(("select", name))
        return "OK", [b"2"]

    def uid(self, command, *args):
        self.calls.append((command, *args))
        if command == "SEARCH":
            return "OK", [b" ".join(self.messages)]
        if command == "FETCH":
            uid = args[0]
            assert args[1] == "(BODY.PEEK[])", "fetching must not mark the message seen"
            return "OK", [
                (b"%s (UID %s BODY[] {n}" % (uid, uid), self.messages[uid]),
                b")",
            ]
        if command == "STORE":
            self.seen.append(args[0])
            return "OK", []
        raise AssertionError(command)

    def logout(self):
        self.calls.append(("logout",))
        return "BYE", []


def test_imap_reads_unseen_mail_and_marks_each_seen_after_storing_it(
    agencies, monkeypatch
):
    FakeImap.instances.clear()
    monkeypatch.setattr("imaplib.IMAP4_SSL", FakeImap)
    monkeypatch.setenv("IMAP_PASSWORD", "s3cret")
    out = _run(
        "--imap",
        "mail.dws.example.gov",
        "--user",
        "records",
        "--inbox",
        "records@dws.example.nm.gov",
        "--json",
    )
    lines = [json.loads(x) for x in out.splitlines()]
    assert [x["outcome"] for x in lines] == ["created", "joined"]
    assert lines[0]["source"] == "imap://mail.dws.example.gov/INBOX;UID=7"
    server = FakeImap.instances[0]
    assert ("login", "records", "s3cret") in server.calls
    assert server.seen == [b"7", b"9"]
    assert server.calls[-1] == ("logout",)
    # Both reached the inbox named on the command line: one case, one inbox.
    assert Request.objects.count() == 1
    assert {s.inbox for s in Submission.objects.all()} == {"records@dws.example.nm.gov"}


def test_imap_failure_to_open_the_mailbox_is_a_plain_error(db, monkeypatch):
    class Refusing(FakeImap):
        def select(self, name):
            return "NO", [b"no such mailbox"]

    monkeypatch.setattr("imaplib.IMAP4_SSL", Refusing)
    monkeypatch.setenv("IMAP_PASSWORD", "x")
    with pytest.raises(CommandError, match="cannot open mailbox"):
        _run("--imap", "mail.example.gov", "--user", "u", "--mailbox", "Nope")
