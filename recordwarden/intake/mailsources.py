"""Where inbound mail comes from: .eml files, folders of them, mbox, Maildir, or an IMAP
mailbox. Each source yields (label, raw bytes, acknowledge); ``acknowledge`` is called
once the message is stored, so an IMAP message is marked seen only after that."""

from __future__ import annotations

import imaplib
import mailbox
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

Item = tuple[str, bytes, Callable[[], None]]


def _nothing() -> None:
    return None


def _is_maildir(path: Path) -> bool:
    return all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def _is_mbox(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(5) == b"From "


def _maildir(path: Path) -> Iterator[Item]:
    box = mailbox.Maildir(str(path), factory=None, create=False)
    for key in sorted(box.keys()):
        with box.get_file(key) as fh:
            yield f"{path}#{key}", fh.read(), _nothing


def _mbox(path: Path) -> Iterator[Item]:
    box = mailbox.mbox(str(path), factory=None, create=False)
    try:
        for index, key in enumerate(box.keys()):
            yield f"{path}#{index + 1}", box.get_bytes(key), _nothing
    finally:
        box.close()


def from_path(path: Path) -> Iterator[Item]:
    """Messages under ``path``: a Maildir, a folder of .eml files (in name order), an
    mbox file, or one message file."""
    if path.is_dir():
        if _is_maildir(path):
            yield from _maildir(path)
            return
        for child in sorted(path.iterdir()):
            if child.is_file() and child.suffix.lower() in (".eml", ".msg", ".txt"):
                yield str(child), child.read_bytes(), _nothing
        return
    if _is_mbox(path):
        yield from _mbox(path)
        return
    yield str(path), path.read_bytes(), _nothing


@dataclass
class ImapSource:
    host: str
    user: str
    password: str
    mailbox: str = "INBOX"
    port: int = 993
    use_ssl: bool = True
    search: str = "UNSEEN"
    limit: int = 500
    mark_seen: bool = True

    def _connect(self) -> imaplib.IMAP4:
        if self.use_ssl:
            return imaplib.IMAP4_SSL(self.host, self.port)
        client = imaplib.IMAP4(self.host, self.port)
        client.starttls()
        return client

    def messages(self) -> Iterator[Item]:
        """Fetch with BODY.PEEK[] (which does not set \\Seen); each message is flagged
        seen only after it is stored, so a crash never loses one."""
        client = self._connect()
        try:
            client.login(self.user, self.password)
            status, _ = client.select(self.mailbox)
            if status != "OK":
                raise OSError(f"cannot open mailbox {self.mailbox!r}")
            status, data = client.uid("SEARCH", None, self.search)
            if status != "OK":
                raise OSError(f"IMAP search failed: {data!r}")
            uids = (data[0] or b"").split()[: self.limit]
            for uid in uids:
                status, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next(
                    (p[1] for p in parts or [] if isinstance(p, tuple) and len(p) > 1),
                    None,
                )
                if status != "OK" or raw is None:
                    continue
                yield (
                    f"imap://{self.host}/{self.mailbox};UID={uid.decode()}",
                    raw,
                    self._marker(client, uid),
                )
        finally:
            try:
                client.logout()
            except (imaplib.IMAP4.error, OSError):
                pass

    def _marker(self, client, uid: bytes) -> Callable[[], None]:
        def mark() -> None:
            if self.mark_seen:
                client.uid("STORE", uid, "+FLAGS", "(\\Seen)")

        return mark
