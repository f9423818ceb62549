"""Mails already read, kept for their attachments: the attachment job finds the parts the
ingest parse split, instead of loading the stored mail and parsing it again per attachment.

Only mails with attachments are kept, in this process, keyed by the digest of the raw bytes,
least recently used first out when `max_bytes` of raw mail is held. The adapter writes that key
into the media ids of the mail's attachments (`media_id` + KEY_MARK + key), so the attachment job
finds the mail without loading the stored payload, and a hit is always the very mail the id came
from. A miss (another worker processed the mail, a restart, an eviction) loads the stored raw
mail and reads it again: the stored raw mail stays the source of truth.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from email.message import Message

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_MAIL_BYTES = 16 * 1024 * 1024  # a bigger mail is read again: rare, and heavy to hold
KEY_MARK = "#"  # between a part's id and the key of the mail it is in


def digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=20).hexdigest()


def keyed(media_id: str, key: str) -> str:
    """A media id that names the kept mail it is in."""
    return f"{media_id}{KEY_MARK}{key}"


def unkeyed(media_id: str) -> tuple[str, str | None]:
    """The part's own id and the key of its mail (None: an id stored before keys, or of a mail
    too big to keep)."""
    part, mark, key = media_id.partition(KEY_MARK)
    return part, key if mark and key else None


class ReadMails:
    def __init__(
        self, max_bytes: int = DEFAULT_MAX_BYTES, max_mail_bytes: int = DEFAULT_MAX_MAIL_BYTES
    ) -> None:
        self.max_bytes = max_bytes
        self.max_mail_bytes = min(max_mail_bytes, max_bytes)
        self.held = 0
        self._mails: OrderedDict[str, tuple[Message, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._mails)

    def keep(self, raw: bytes, msg: Message) -> str | None:
        """Keep `msg`, read from `raw`; its key, or None for a mail too big to keep."""
        size = len(raw)
        if size > self.max_mail_bytes:
            return None
        key = digest(raw)
        if key in self._mails:
            self._mails.move_to_end(key)
            return key
        self._mails[key] = (msg, size)
        self.held += size
        while self.held > self.max_bytes:
            _, (_, dropped) = self._mails.popitem(last=False)
            self.held -= dropped
        return key

    def find(self, key: str) -> Message | None:
        """The kept mail of this key, if it is still kept."""
        found = self._mails.get(key)
        if found is None:
            return None
        self._mails.move_to_end(key)
        return found[0]

    def get(self, raw: bytes) -> Message | None:
        return self.find(digest(raw))
