"""Mails already read, kept for their attachments: the attachment job finds the parts the
ingest parse split, instead of parsing the whole mail again per attachment.

Only mails with attachments are kept, in this process, keyed by the digest of the raw bytes
(the same bytes the attachment job loads from the stored inbound event, so a hit is always
the right mail), least recently used first out when `max_bytes` of raw mail is held. A miss
(another worker processed the mail, a restart, an eviction) just reads the mail again: the
stored raw mail stays the source of truth.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from email.message import Message

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_MAIL_BYTES = 16 * 1024 * 1024  # a bigger mail is read again: rare, and heavy to hold


def digest(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=20).digest()


class ReadMails:
    def __init__(
        self, max_bytes: int = DEFAULT_MAX_BYTES, max_mail_bytes: int = DEFAULT_MAX_MAIL_BYTES
    ) -> None:
        self.max_bytes = max_bytes
        self.max_mail_bytes = min(max_mail_bytes, max_bytes)
        self.held = 0
        self._mails: OrderedDict[bytes, tuple[Message, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._mails)

    def keep(self, raw: bytes, msg: Message) -> None:
        size = len(raw)
        if size > self.max_mail_bytes:
            return
        key = digest(raw)
        if key in self._mails:
            self._mails.move_to_end(key)
            return
        self._mails[key] = (msg, size)
        self.held += size
        while self.held > self.max_bytes:
            _, (_, dropped) = self._mails.popitem(last=False)
            self.held -= dropped

    def get(self, raw: bytes) -> Message | None:
        key = digest(raw)
        found = self._mails.get(key)
        if found is None:
            return None
        self._mails.move_to_end(key)
        return found[0]
