"""Checking an uploaded document: size and type, by its content, never by its name."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings

# Magic numbers of the only types accepted: legal process arrives as PDF or a scan.
_SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
]
ACCEPTED_TYPES = frozenset(t for _, t in _SIGNATURES)
EXTENSIONS = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/tiff": "tif",
}


class DocumentRejected(ValueError):
    """The file is not kept as a document; the message says why in plain words."""


@dataclass(frozen=True)
class DocumentInput:
    filename: str
    content: bytes


def sniff_type(content: bytes) -> str | None:
    """The content type the bytes themselves declare, or None if not accepted."""
    for magic, content_type in _SIGNATURES:
        if content.startswith(magic):
            return content_type
    return None


def _describe(content: bytes) -> str:
    head = content[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")):
        return "a web page (HTML)"
    if head.startswith(b"pk\x03\x04"):
        return "a zip archive or an Office file"
    if head.startswith(b"mz"):
        return "a program"
    if head.startswith(b"<?xml") or head.startswith(b"<svg"):
        return "an XML or SVG file"
    return "not a PDF or an image"


def safe_filename(name: str) -> str:
    """A display name only: never used on disk (files are stored by hash)."""
    name = unicodedata.normalize("NFKC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip(" .")
    return name[:200] or "document"


def check_document(doc: DocumentInput) -> str:
    """Return the content type, or raise DocumentRejected with a plain reason."""
    size = len(doc.content)
    limit = settings.UPLOAD_MAX_BYTES
    label = safe_filename(doc.filename)
    if size == 0:
        raise DocumentRejected(f"{label} is empty.")
    if size > limit:
        raise DocumentRejected(
            f"{label} is {size / 1048576:.1f} MB; the limit is "
            f"{limit / 1048576:.0f} MB. Send a smaller scan or split the file."
        )
    content_type = sniff_type(doc.content)
    if content_type is None:
        raise DocumentRejected(
            f"{label} is {_describe(doc.content)}. Only PDF files and PNG, JPEG or "
            "TIFF images are accepted, whatever the file name says."
        )
    return content_type
