"""Normalised keys the joining rule looks up by (indexed, so a new submission finds its
case without reading every open request of its agency)."""

from __future__ import annotations

import re
import unicodedata


def case_key(value: str) -> str:
    """A case or docket number without case or punctuation: "26-087112" = "26 087112"."""
    return re.sub(r"[^A-Z0-9]", "", (value or "").upper())[:64]


def name_part(value: str) -> str:
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z]", "", text.casefold())


def name_key(first: str, last: str) -> str:
    """ "José Núñez" and "JOSE NUNEZ" share a key; a name missing either part has none."""
    first, last = name_part(first), name_part(last)
    return f"{first}|{last}"[:200] if first and last else ""
