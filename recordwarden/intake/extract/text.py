"""Text handling for the extractor: normalising, sentences, negations."""

from __future__ import annotations

import re
import unicodedata

IGNORE = re.IGNORECASE
MAX_TEXT = 100_000

# ---------------------------------------------------------------------------- sentences

_ABBREVIATIONS = frozenset(
    "dr mr mrs ms det sgt lt st no inc co jr sr hon u.s u.s.c sec approx dept ave".split()
)
# "Obligor: Daniel R. Ortega" or "IV-D case number: 2026-118734": a form-like line.
LABEL_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9 ./()#-]{0,40}:\s")


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")[:MAX_TEXT]
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u00a0", " ")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split_prose(chunk: str) -> list[str]:
    """Split at sentence ends, but not after initials ("M. Baca") or abbreviations."""
    out, start = [], 0
    for match in re.finditer(r"[.!?]\s+(?=[A-Z\"(])", chunk):
        before = chunk[start : match.start()].rsplit(" ", 1)[-1].lower().strip("(")
        if len(before) <= 1 or before in _ABBREVIATIONS:
            continue
        out.append(chunk[start : match.start() + 1].strip())
        start = match.end()
    tail = chunk[start:].strip()
    if tail:
        out.append(tail)
    return out


def sentences(text: str) -> list[str]:
    """Sentences of prose, each form-like "Label: value" line on its own."""
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        buffer: list[str] = []
        for line in (ln.strip() for ln in paragraph.split("\n")):
            if not line:
                continue
            if LABEL_LINE.match(line):
                out.extend(_split_prose(" ".join(buffer)))
                buffer = []
                out.append(re.sub(r"\s+", " ", line))
                continue
            buffer.append(line)
        out.extend(_split_prose(re.sub(r"\s+", " ", " ".join(buffer))))
    return [s for s in out if s]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def first_match(pattern: re.Pattern, text: str) -> str:
    match = pattern.search(text)
    return match.group(0) if match else ""


_NEGATION = re.compile(
    r"(?:\bno|\bnot|\bwithout|\bdon't have|\bdo not have|\blacking|\bin lieu of)"
    r"\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)


def affirmed(pattern: re.Pattern, text: str) -> str:
    """The first match not preceded by a negation ("without a warrant")."""
    for match in pattern.finditer(text):
        if not _NEGATION.search(text[max(0, match.start() - 30) : match.start()]):
            return match.group(0)
    return ""
