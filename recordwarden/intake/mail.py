"""Reading an inbound email with the standard library, defensively.

Every header read and every decode is guarded: a message may be malformed, hostile or not
an email at all, and the result is then a ParsedEmail with problems, never an exception.
HTML is turned into text with a parser that only collects text; nothing is rendered.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser

from .constants import ProblemCode
from .documents import safe_filename

MAX_ATTACHMENTS = 20
MAX_BODY_CHARS = 200_000
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# Structural defects that mean the MIME tree was not what the sender's software claimed.
_SERIOUS_DEFECTS = frozenset(
    {
        "StartBoundaryNotFoundDefect",
        "CloseBoundaryNotFoundDefect",
        "MultipartInvariantViolationDefect",
        "MissingHeaderBodySeparatorDefect",
        "NoBoundaryInMultipartDefect",
        "InvalidBase64PaddingDefect",
        "InvalidBase64CharactersDefect",
        "InvalidBase64LengthDefect",
    }
)


@dataclass
class Attachment:
    filename: str
    declared_type: str
    content: bytes


@dataclass
class ParsedEmail:
    sender: str = ""
    display_name: str = ""
    reply_to: str = ""
    return_path: str = ""
    recipients: list[str] = field(default_factory=list)
    delivered_to: str = ""
    subject: str = ""
    message_id: str = ""
    in_reply_to: str = ""
    references: str = ""
    sent_at: dt.datetime | None = None
    text: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)

    def problem(self, code: str, message: str) -> None:
        if all(p["code"] != code or p["message"] != message for p in self.problems):
            self.problems.append({"code": str(code), "message": message})

    @property
    def default_inbox(self) -> str:
        """The staff address it reached: Delivered-To, else the first recipient."""
        if self.delivered_to:
            return self.delivered_to
        return self.recipients[0] if self.recipients else ""


class _TextOnly(HTMLParser):
    """Collects the visible text of an HTML part; scripts and styles are skipped."""

    _SKIP = frozenset({"script", "style", "head", "title", "template"})
    _BREAK = frozenset({"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "table"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BREAK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BREAK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOnly()
    try:
        parser.feed(html[:MAX_BODY_CHARS])
        parser.close()
    except (ValueError, AssertionError):
        pass
    text = "".join(parser.parts)
    return re.sub(r"\n\s*\n+", "\n\n", re.sub(r"[ \t]+", " ", text)).strip()


def _header(msg: EmailMessage, name: str, parsed: ParsedEmail) -> str:
    """A header as one clean line; line breaks or control characters inside a header
    value (decoded from an encoded word, say) are an injection attempt and are noted."""
    try:
        value = msg.get(name)
    except Exception:  # noqa: BLE001 - any malformed header is a problem, not a crash
        parsed.problem(ProblemCode.UNPARSEABLE, f"The {name} header could not be read.")
        return ""
    if value is None:
        return ""
    text = str(value)
    if _CONTROL.search(text.replace("\t", " ")):
        parsed.problem(
            ProblemCode.HEADER_INJECTION,
            f"The {name} header contains line breaks or control characters; "
            "they were removed.",
        )
        text = _CONTROL.sub(" ", text)
    return text.strip()[:1000]


def _address(value: str) -> tuple[str, str]:
    name, addr = parseaddr(value)
    addr = addr.strip().lower()
    if addr.count("@") != 1 or " " in addr or len(addr) > 320:
        return name.strip(), ""
    return name.strip()[:200], addr


def _addresses(value: str) -> list[str]:
    out = []
    for _, addr in getaddresses([value]):
        addr = addr.strip().lower()
        if addr.count("@") == 1 and " " not in addr:
            out.append(addr[:320])
    return out


def _part_text(part, parsed: ParsedEmail) -> str:
    try:
        content = part.get_content()
        if isinstance(content, bytes):
            raise LookupError("bytes")
        return content
    except (LookupError, UnicodeError, AssertionError, ValueError, AttributeError):
        payload = part.get_payload(decode=True) or b""
        parsed.problem(
            ProblemCode.BAD_CHARSET,
            "Text in an unknown or wrong character set; read as UTF-8 with "
            "unreadable bytes replaced.",
        )
        return payload.decode("utf-8", errors="replace")


def _is_attachment(part) -> bool:
    if part.is_multipart():
        return False
    disposition = (part.get_content_disposition() or "").lower()
    if disposition == "attachment" or part.get_filename():
        return True
    return part.get_content_maintype() not in ("text", "multipart", "message")


def _body_and_attachments(msg: EmailMessage, parsed: ParsedEmail) -> None:
    plain: list[str] = []
    html: list[str] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        if _is_attachment(part):
            if len(parsed.attachments) >= MAX_ATTACHMENTS:
                parsed.problem(
                    ProblemCode.ATTACHMENT_REFUSED,
                    f"More than {MAX_ATTACHMENTS} attachments; the rest are kept in "
                    "the raw message only.",
                )
                continue
            try:
                content = part.get_payload(decode=True) or b""
            except Exception:  # noqa: BLE001 - broken transfer encoding
                content = b""
            parsed.attachments.append(
                Attachment(
                    filename=safe_filename(part.get_filename() or "attachment"),
                    declared_type=part.get_content_type(),
                    content=content,
                )
            )
        elif part.get_content_type() == "text/html":
            html.append(_part_text(part, parsed))
        elif part.get_content_maintype() == "text":
            plain.append(_part_text(part, parsed))
    text = "\n\n".join(t for t in plain if t.strip())
    if not text.strip() and html:
        text = "\n\n".join(html_to_text(h) for h in html)
        parsed.problem(
            ProblemCode.HTML_ONLY,
            "The message has only an HTML part; its text was read without rendering it.",
        )
    parsed.text = text[:MAX_BODY_CHARS]
    if not parsed.text.strip():
        parsed.problem(ProblemCode.EMPTY_BODY, "The message has no readable text.")


def _defects(msg: EmailMessage, parsed: ParsedEmail) -> None:
    names = []
    for part in msg.walk():
        names.extend(type(d).__name__ for d in getattr(part, "defects", []))
    parsed.defects = sorted(set(names))
    serious = sorted(set(names) & _SERIOUS_DEFECTS)
    if serious:
        parsed.problem(
            ProblemCode.UNPARSEABLE,
            "The message's MIME structure is broken (" + ", ".join(serious) + "); "
            "what could be read is shown, and the raw message is kept.",
        )


def _sent_at(value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return when


def parse_email(raw: bytes) -> ParsedEmail:
    """Read what can be read. Problems are collected, never raised."""
    parsed = ParsedEmail()
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception:  # noqa: BLE001 - the parser is lenient, but junk is junk
        parsed.problem(ProblemCode.UNPARSEABLE, "The bytes are not an email message.")
        return parsed
    parsed.display_name, parsed.sender = _address(_header(msg, "From", parsed))
    _, parsed.reply_to = _address(_header(msg, "Reply-To", parsed))
    _, parsed.return_path = _address(_header(msg, "Return-Path", parsed))
    recipients = []
    for name in ("To", "Cc"):
        recipients.extend(_addresses(_header(msg, name, parsed)))
    parsed.recipients = recipients
    for name in ("Delivered-To", "X-Original-To"):
        found = _addresses(_header(msg, name, parsed))
        if found:
            parsed.delivered_to = found[0]
            break
    parsed.subject = _header(msg, "Subject", parsed)[:500]
    parsed.message_id = _header(msg, "Message-ID", parsed)[:500]
    parsed.in_reply_to = _header(msg, "In-Reply-To", parsed)[:500]
    parsed.references = _header(msg, "References", parsed)[:5000]
    parsed.sent_at = _sent_at(_header(msg, "Date", parsed))
    try:
        _body_and_attachments(msg, parsed)
        _defects(msg, parsed)
    except Exception:  # noqa: BLE001 - a MIME tree too broken to walk
        parsed.problem(
            ProblemCode.UNPARSEABLE, "The message body could not be read at all."
        )
    if not parsed.sender:
        parsed.problem(
            ProblemCode.NO_SENDER, "The message has no readable sender address."
        )
    return parsed


def message_ids(value: str) -> list[str]:
    """The <...> identifiers in a Message-ID, In-Reply-To or References header."""
    return re.findall(r"<[^<>\s]{1,400}>", value or "")
