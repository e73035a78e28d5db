"""Field encryption and keyed look-up hashes for SSNs and protected attributes.

One 32-byte master key (``settings.DATA_KEY_FILE``, hex) is expanded with HKDF into an
AES-256-GCM key for encryption and an HMAC-SHA256 key for look-up hashes, so the database
never holds an SSN in clear and cannot be searched by one without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_VERSION = b"\x01"
_SSN_RE = re.compile(r"^\d{3}-?\d{2}-?\d{4}$")


def _read_or_create_master(path: Path) -> bytes:
    if not path.exists():
        if getattr(settings, "PRODUCTION", False):
            raise ImproperlyConfigured(f"Data key file {path} does not exist.")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
        except FileExistsError:
            pass
    raw = bytes.fromhex(path.read_text().strip())
    if len(raw) != 32:
        raise ImproperlyConfigured(f"Data key file {path} must hold 32 bytes in hex.")
    return raw


@lru_cache(maxsize=1)
def _keys() -> tuple[AESGCM, bytes]:
    master = _read_or_create_master(Path(settings.DATA_KEY_FILE))

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
            master
        )

    return AESGCM(derive(b"recordwarden field encryption v1")), derive(
        b"recordwarden lookup hmac v1"
    )


def reset_key_cache() -> None:
    """Forget the loaded keys (tests that swap key files call this)."""
    _keys.cache_clear()


def encrypt(plaintext: str, *, context: str) -> bytes:
    """Encrypt ``plaintext``; ``context`` (e.g. "worker.ssn") is bound as associated data,
    so a ciphertext copied into another column does not decrypt."""
    aead, _ = _keys()
    nonce = secrets.token_bytes(12)
    return _VERSION + nonce + aead.encrypt(nonce, plaintext.encode(), context.encode())


def decrypt(blob: bytes | memoryview, *, context: str) -> str:
    return decrypt_bytes(blob, context=context).decode()


def encrypt_bytes(plaintext: bytes, *, context: str) -> bytes:
    """Like ``encrypt`` for bytes (raw submissions, documents, packages)."""
    aead, _ = _keys()
    nonce = secrets.token_bytes(12)
    return _VERSION + nonce + aead.encrypt(nonce, bytes(plaintext), context.encode())


def decrypt_bytes(blob: bytes | memoryview, *, context: str) -> bytes:
    aead, _ = _keys()
    data = bytes(blob)
    if not data or data[:1] != _VERSION:
        raise ValueError("unknown ciphertext version")
    return aead.decrypt(data[1:13], data[13:], context.encode())


def keyed_hash(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of ``value`` under the look-up key, separated by ``purpose``."""
    _, key = _keys()
    msg = purpose.encode() + b"\x00" + value.encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def normalize_ssn(raw: str) -> str:
    """Return the nine digits of an SSN, or raise ValueError with a plain reason."""
    value = (raw or "").strip()
    if not _SSN_RE.match(value):
        raise ValueError("an SSN is nine digits, with or without dashes")
    digits = value.replace("-", "")
    if digits[:3] in {"000", "666"} or digits[0] == "9":
        raise ValueError("an SSN cannot start with 000, 666 or 9")
    if digits[3:5] == "00" or digits[5:] == "0000":
        raise ValueError("an SSN cannot have a zero group or serial")
    return digits


def ssn_hash(digits: str) -> str:
    return keyed_hash(digits, purpose="ssn")


def ssn_last4_hash(last4: str) -> str:
    if not re.fullmatch(r"\d{4}", last4 or ""):
        raise ValueError("the last four digits of an SSN are four digits")
    return keyed_hash(last4, purpose="ssn_last4")
