"""The Ed25519 key that signs checkpoints (settings.AUDIT_SIGNING_KEY_FILE, PKCS#8 PEM).

Development creates it on first use, like the data key in core/crypto.py; production
refuses to run without it (settings checks the file exists at start-up too).
The key name in signatures is the log's origin, settings.AUDIT_LOG_ORIGIN.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import note


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process created it first; use theirs
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)


@lru_cache(maxsize=4)
def _load(path_text: str) -> Ed25519PrivateKey:
    path = Path(path_text)
    if not path.exists():
        if getattr(settings, "PRODUCTION", False):
            raise ImproperlyConfigured(f"Audit signing key {path} does not exist.")
        _create(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"Audit signing key {path} is not an Ed25519 key.")
    return key


def signing_key() -> Ed25519PrivateKey:
    return _load(str(settings.AUDIT_SIGNING_KEY_FILE))


def origin() -> str:
    return settings.AUDIT_LOG_ORIGIN


def verifier() -> note.Verifier:
    """The public half, as published: ``verifier().text`` is the verifier key string."""
    return note.verifier_for(origin(), signing_key().public_key())


def reset_key_cache() -> None:
    _load.cache_clear()
