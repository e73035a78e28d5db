"""Content-addressed files under MEDIA_ROOT: documents and oversized raw submissions.

A file is named by the SHA-256 of its content, so storing the same bytes twice is one file,
a stored file can be checked against its name, and no name a sender chose ever reaches the
disk. Content is encrypted at rest (AES-GCM, core.crypto): legal process and raw emails
hold personal data. Nothing here opens, renders or converts the content.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from django.conf import settings

from recordwarden.core import crypto

# Version byte, 12-byte nonce and 16-byte tag added by crypto.encrypt_bytes.
_OVERHEAD = 29
_NAME = re.compile(r"^(documents|raw)/[0-9a-f]{2}/[0-9a-f]{64}$")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _path(name: str) -> Path:
    if not _NAME.match(name):
        raise ValueError(f"not a stored file name: {name!r}")
    return Path(settings.MEDIA_ROOT) / name


def blob_store(data: bytes, *, kind: str = "documents") -> tuple[str, str]:
    """Write ``data`` once under its hash; return (storage name, sha256)."""
    digest = sha256_hex(data)
    name = f"{kind}/{digest[:2]}/{digest}"
    path = _path(name)
    if path.exists() and path.stat().st_size == len(data) + _OVERHEAD:
        return name, digest
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write to a temporary file in the same folder and rename: readers never see half.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(crypto.encrypt_bytes(data, context=f"blob:{digest}"))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o640)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return name, digest


def blob_read(name: str) -> bytes:
    """Read a stored file and check it still matches its name."""
    digest = name.rsplit("/", 1)[1]
    data = crypto.decrypt_bytes(_path(name).read_bytes(), context=f"blob:{digest}")
    if sha256_hex(data) != name.rsplit("/", 1)[1]:
        raise ValueError(f"stored file {name} does not match its hash")
    return data


def blob_exists(name: str) -> bool:
    try:
        return _path(name).exists()
    except ValueError:
        return False
