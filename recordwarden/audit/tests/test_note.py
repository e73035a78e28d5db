"""C2SP signed notes and checkpoints.

Interoperability vector: the example in the package documentation of Go's
golang.org/x/mod/sumdb/note (note.go), the reference implementation of signed notes:
the PeterNeumann signer key, its verifier key and the signed note it produces. Ed25519
is deterministic, so signing the same text must give the same bytes.
"""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from recordwarden.audit import note

GO_SIGNER_KEY = (
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
)
GO_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n\u2014 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def _go_private_key() -> Ed25519PrivateKey:
    raw = base64.b64decode(GO_SIGNER_KEY.split("+", 4)[4])
    assert raw[0] == note.ED25519
    return Ed25519PrivateKey.from_private_bytes(raw[1:])


def test_signing_reproduces_the_go_reference_note_byte_for_byte():
    assert note.sign_note(GO_TEXT, "PeterNeumann", _go_private_key()) == GO_NOTE


def test_the_verifier_key_and_key_id_match_the_go_reference():
    verifier = note.verifier_for("PeterNeumann", _go_private_key().public_key())
    assert verifier.key_id.hex() == "c74f20a3"
    assert verifier.text == GO_VERIFIER_KEY
    assert note.parse_verifier_key(GO_VERIFIER_KEY).text == GO_VERIFIER_KEY


def test_the_go_reference_note_opens_and_a_changed_text_does_not():
    verifier = note.parse_verifier_key(GO_VERIFIER_KEY)
    assert note.open_note(GO_NOTE, [verifier]) == GO_TEXT
    with pytest.raises(note.NoteError, match="does not verify"):
        note.open_note(GO_NOTE.replace("cryptography", "cryptographY"), [verifier])


def test_a_note_signed_by_an_unknown_key_is_rejected():
    stranger = note.sign_note(GO_TEXT, "PeterNeumann", Ed25519PrivateKey.generate())
    with pytest.raises(note.NoteError, match="no signature"):
        note.open_note(stranger, [note.parse_verifier_key(GO_VERIFIER_KEY)])


def test_a_verifier_key_with_a_wrong_id_or_garbage_is_refused():
    for bad in (
        GO_VERIFIER_KEY.replace("c74f20a3", "c74f20a4"),
        "PeterNeumann+c74f20a3",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+AhRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",
    ):
        with pytest.raises(note.NoteError):
            note.parse_verifier_key(bad)


def test_a_checkpoint_round_trips_in_the_c2sp_format():
    key = Ed25519PrivateKey.generate()
    root = bytes(range(32))
    signed = note.sign_checkpoint(
        note.Checkpoint("agency.example/audit", 42, root), "agency.example/audit", key
    )
    body, _, sig_line = signed.partition("\n\n")
    assert body == f"agency.example/audit\n42\n{base64.b64encode(root).decode()}"
    assert sig_line.startswith("\u2014 agency.example/audit ")
    raw_sig = base64.b64decode(sig_line.split(" ")[2])
    verifier = note.verifier_for("agency.example/audit", key.public_key())
    assert raw_sig[:4] == verifier.key_id and len(raw_sig) == 68
    opened = note.open_checkpoint(signed, [verifier], origin="agency.example/audit")
    assert (opened.origin, opened.size, opened.root) == (
        "agency.example/audit",
        42,
        root,
    )
    with pytest.raises(note.NoteError, match="is for log"):
        note.open_checkpoint(signed, [verifier], origin="other.example/audit")


@pytest.mark.parametrize(
    "text",
    [
        "origin\n042\nAAAA\n",
        "origin\n1\nnot base64!\n",
        "origin\n1\n" + base64.b64encode(b"short").decode() + "\n",
        "\n1\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "origin\n1\n",
    ],
)
def test_malformed_checkpoint_text_is_refused(text):
    with pytest.raises(note.NoteError):
        note.parse_checkpoint(text)
