"""Who a sender is: the agency a domain belongs to, free-mail and look-alike domains, and
display names that claim an agency."""

from __future__ import annotations

import re
import unicodedata

import jellyfish

from recordwarden.accounts.models import Agency, AgencyDomain

# Consumer mail providers. A request from one of these is not from an agency, whatever the
# display name says. Example domains in tests use the provider's name as the first label
# under a reserved name (gmail.example.com).
FREE_MAIL_PROVIDERS = frozenset(
    """gmail.com googlemail.com yahoo.com ymail.com outlook.com hotmail.com live.com
    msn.com aol.com icloud.com protonmail.com proton.me pm.me gmx.com gmx.net yandex.com
    zoho.com tutanota.com tuta.io fastmail.com hushmail.com mailfence.com""".split()
)
_FREE_MAIL_LABELS = frozenset(d.split(".")[0] for d in FREE_MAIL_PROVIDERS)
_RESERVED_SUFFIXES = (".example.com", ".example.org", ".example.net", ".example")

# Characters that render like Latin letters (Cyrillic, Greek, digits), and multi-letter
# tricks ("rn" for "m"). Mapped to a skeleton so "abqpd" and "аbqpd" compare equal.
_CONFUSABLES = str.maketrans(
    {
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "у": "y",
        "х": "x",
        "і": "i",
        "ј": "j",
        "ѕ": "s",
        "һ": "h",
        "ԁ": "d",
        "ɡ": "g",
        "ο": "o",
        "α": "a",
        "ε": "e",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "0": "o",
        "1": "l",
        "|": "l",
        "!": "i",
        "5": "s",
    }
)
_MULTI = [("rn", "m"), ("vv", "w"), ("cl", "d")]


def domain_of(address: str) -> str:
    return (
        address.rsplit("@", 1)[-1].strip().lower().rstrip(".") if "@" in address else ""
    )


def _unicode(domain: str) -> str:
    try:
        return domain.encode("ascii").decode("idna")
    except (UnicodeError, ValueError):
        return domain


def skeleton(domain: str) -> str:
    text = unicodedata.normalize("NFKC", _unicode(domain)).casefold()
    text = text.translate(_CONFUSABLES)
    text = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    )
    for many, one in _MULTI:
        text = text.replace(many, one)
    return text.replace("i", "l")


def _on_file() -> tuple[tuple[str, int], ...]:
    # The registry is small (hundreds of domains); read it fresh each time so a change
    # on the registry applies to the next message.
    return tuple(AgencyDomain.objects.values_list("domain", "agency_id"))


def agency_for_domain(domain: str) -> Agency | None:
    """The agency whose file lists ``domain`` or a parent of it (mail.abqpd.gov)."""
    domain = domain.lower().strip(".")
    if not domain:
        return None
    for known, agency_id in _on_file():
        if domain == known or domain.endswith("." + known):
            return Agency.objects.get(pk=agency_id)
    return None


def is_free_mail(domain: str) -> bool:
    domain = domain.lower()
    if domain in FREE_MAIL_PROVIDERS:
        return True
    for suffix in _RESERVED_SUFFIXES:
        if domain.endswith(suffix):
            return domain[: -len(suffix)].rsplit(".", 1)[-1] in _FREE_MAIL_LABELS
    return False


def lookalike_of(domain: str) -> str:
    """The domain on file that ``domain`` imitates (one edit, or the same skeleton under
    homoglyphs), or "" if none. A domain on file, or under one, is not a look-alike."""
    domain = domain.lower().strip(".")
    if not domain:
        return ""
    on_file = [d for d, _ in _on_file()]
    if any(domain == d or domain.endswith("." + d) for d in on_file):
        return ""
    shape = skeleton(domain)
    for known in on_file:
        if shape == skeleton(known):
            return known
        if jellyfish.damerau_levenshtein_distance(_unicode(domain), known) <= 1:
            return known
        if jellyfish.damerau_levenshtein_distance(shape, skeleton(known)) <= 1:
            return known
    return ""


# Words that say nothing about which agency is meant.
_GENERIC = frozenset(
    """of the and for u s us state new county city office department dept division field
    district court judicial enforcement services service bureau agency s's""".split()
)
# Words that claim official authority in a display name sent from an address not on file.
_AUTHORITY = re.compile(
    r"\b(?:sheriff|police|pd|marshal|trooper|state patrol|ice|hsi|dhs|fbi|dea|atf|"
    r"homeland security|immigration|court|clerk of court|district attorney|"
    r"child support|csed|attorney general|department of|agency|emergency dispatch)\b",
    re.IGNORECASE,
)


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("'s", " ")
    return re.findall(r"[a-z0-9]+", text)


def _distinctive(name: str) -> set[str]:
    head = name.split(",")[0]
    return {w for w in _words(head) if w not in _GENERIC and len(w) > 1}


def _acronym(name: str) -> str:
    head = name.split(",")[0]
    letters = [w[0] for w in _words(head) if w not in {"of", "and", "the", "u", "s"}]
    return "".join(letters) if len(letters) >= 3 else ""


def claimed_agency(display_name: str) -> Agency | None:
    """The agency on file a display name names, by its distinctive words or acronym."""
    words = set(_words(display_name))
    if not words:
        return None
    for agency in Agency.objects.only("pk", "name", "key"):
        distinctive = _distinctive(agency.name)
        if len(distinctive) >= 2 and distinctive <= words:
            return agency
        acronym = _acronym(agency.name)
        if acronym and acronym in words:
            return agency
    return None


def display_name_claim(display_name: str, sender_agency: Agency | None) -> str:
    """What the display name claims that the address does not back, or ""."""
    if not display_name:
        return ""
    claimed = claimed_agency(display_name)
    if claimed is not None:
        if sender_agency is None or claimed.pk != sender_agency.pk:
            return claimed.name
        return ""
    if sender_agency is None and _AUTHORITY.search(display_name):
        return display_name
    return ""
