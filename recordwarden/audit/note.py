"""C2SP signed notes (c2sp.org/signed-note) and tlog checkpoints (c2sp.org/tlog-checkpoint).

Plain Python with no Django import. A checkpoint is the note text

    <origin>\\n<tree size>\\n<base64 root hash>\\n

followed by a blank line and one signature line per signer:

    — <key name> <base64(key id (4 bytes, big-endian) || Ed25519 signature)>\\n

The key id is the first four bytes of SHA-256(key name || 0x0A || 0x01 || public key)
and a verifier key is shared as ``<name>+<hex key id>+<base64(0x01 || public key)>``,
the same text Go's ``golang.org/x/mod/sumdb/note`` and transparency-log witnesses use.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = 0x01
SIG_PREFIX = "\u2014 "  # em dash, space
_NAME_RE = re.compile(r"^[^\s+]+$")
_SIZE_RE = re.compile(r"^(0|[1-9][0-9]*)$")
MAX_NOTE_BYTES = 1 << 20
MAX_SIGNATURES = 100


class NoteError(ValueError):
    """The note is malformed, or no trusted signature on it verifies."""


def _check_name(name: str) -> None:
    if not name or not _NAME_RE.match(name):
        raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")


def _raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(name: str, public_key: Ed25519PublicKey | bytes) -> bytes:
    """SHA-256(name || 0x0A || 0x01 || 32-byte public key)[:4]."""
    raw = public_key if isinstance(public_key, bytes) else _raw_public(public_key)
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + raw).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    name: str
    key_id: bytes
    public_key: Ed25519PublicKey

    @property
    def text(self) -> str:
        raw = _raw_public(self.public_key)
        encoded = base64.b64encode(bytes([ED25519]) + raw).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            self.public_key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


def verifier_for(name: str, public_key: Ed25519PublicKey) -> Verifier:
    _check_name(name)
    return Verifier(name, key_id(name, public_key), public_key)


def parse_verifier_key(text: str) -> Verifier:
    """Parse ``<name>+<hex key id>+<base64(0x01 || public key)>``."""
    # The base64 part may itself contain '+': split at the first two only.
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise NoteError("a verifier key is <name>+<hex key id>+<base64 key>")
    name, hex_id, b64 = parts
    _check_name(name)
    try:
        kid = bytes.fromhex(hex_id)
        blob = base64.b64decode(b64, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise NoteError("the verifier key is not valid hex and base64") from exc
    if len(kid) != 4 or len(blob) != 33 or blob[0] != ED25519:
        raise NoteError("the verifier key is not an Ed25519 note key")
    public_key = Ed25519PublicKey.from_public_bytes(blob[1:])
    if key_id(name, public_key) != kid:
        raise NoteError("the verifier key's id does not match its name and key")
    return Verifier(name, kid, public_key)


def sign_note(text: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """Return ``text`` as a signed note with one Ed25519 signature line."""
    _check_text(text)
    verifier = verifier_for(name, private_key.public_key())
    signature = private_key.sign(text.encode())
    encoded = base64.b64encode(verifier.key_id + signature).decode()
    return f"{text}\n{SIG_PREFIX}{name} {encoded}\n"


def _check_text(text: str) -> None:
    if not text.endswith("\n") or "\n\n" in text or text.startswith("\n"):
        raise NoteError("note text must end with one newline and have no blank lines")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("note text may not contain control characters")


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    signature: bytes


def split_note(note: str) -> tuple[str, list[Signature]]:
    """Split a signed note into its text and its (unverified) signatures."""
    if len(note.encode()) > MAX_NOTE_BYTES:
        raise NoteError("the note is too large")
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise NoteError("the note contains control characters")
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise NoteError("the note has no signature block")
    text, block = note[: cut + 1], note[cut + 2 :]
    signatures = []
    for line in block.splitlines():
        if not line.startswith(SIG_PREFIX):
            raise NoteError(f"malformed signature line {line[:40]!r}")
        name, _, b64 = line[len(SIG_PREFIX) :].partition(" ")
        _check_name(name)
        try:
            raw = base64.b64decode(b64, validate=True)
        except binascii.Error as exc:
            raise NoteError("a signature is not valid base64") from exc
        if len(raw) < 5:
            raise NoteError("a signature is too short")
        signatures.append(Signature(name, raw[:4], raw[4:]))
    if not signatures or len(signatures) > MAX_SIGNATURES:
        raise NoteError("the note has no signatures, or too many")
    return text, signatures


def open_note(note: str, verifiers: list[Verifier]) -> str:
    """Return the note text if a trusted key signed it; raise NoteError otherwise.

    Signatures from unknown keys are ignored; a signature from a known key that fails
    rejects the whole note (as the signed-note spec asks)."""
    text, signatures = split_note(note)
    known = {(v.name, v.key_id): v for v in verifiers}
    verified = False
    for sig in signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            continue
        if not verifier.verify(text.encode(), sig.signature):
            raise NoteError(f"the signature by {sig.name} does not verify")
        verified = True
    if not verified:
        raise NoteError("no signature on the note is from a trusted key")
    return text


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        return "\n".join([*lines, *self.extensions]) + "\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse checkpoint note text (already verified)."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("a checkpoint has an origin, a size and a root, one per line")
    origin, size, root = lines[0], lines[1], lines[2]
    if not origin:
        raise NoteError("the checkpoint origin is empty")
    if not _SIZE_RE.match(size):
        raise NoteError(f"the checkpoint size {size!r} is not a decimal number")
    try:
        raw_root = base64.b64decode(root, validate=True)
    except binascii.Error as exc:
        raise NoteError("the checkpoint root is not base64") from exc
    if len(raw_root) != 32:
        raise NoteError("the checkpoint root is not a SHA-256 hash")
    extensions = tuple(lines[3:-1])
    if any(not line for line in extensions):
        raise NoteError("checkpoint extension lines must not be empty")
    return Checkpoint(origin, int(size), raw_root, extensions)


def sign_checkpoint(
    checkpoint: Checkpoint, name: str, private_key: Ed25519PrivateKey
) -> str:
    return sign_note(checkpoint.text, name, private_key)


def open_checkpoint(
    note: str, verifiers: list[Verifier], origin: str | None = None
) -> Checkpoint:
    """Verify a signed checkpoint and parse it; check its origin when given."""
    checkpoint = parse_checkpoint(open_note(note, verifiers))
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(
            f"the checkpoint is for log {checkpoint.origin!r}, not {origin!r}"
        )
    return checkpoint
