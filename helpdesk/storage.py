"""Attachment files on disk under HELPDESK_DATA_DIR, addressed by their SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import filetype

# Never stored, whatever a citizen or a platform claims they are.
FORBIDDEN_TYPES = frozenset(
    {
        "application/x-executable",
        "application/x-msdownload",
        "application/x-dosexec",
        "application/x-mach-binary",
        "application/x-elf",
        "application/x-sh",
        "application/vnd.microsoft.portable-executable",
    }
)
# Types we show inline in the browser; everything else downloads as a file.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"})


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str
    content_type: str


class ForbiddenContent(ValueError):
    pass


def detect_type(content: bytes, declared: str | None) -> str:
    """The type told by the bytes; a declared type is believed only for plain text-like data."""
    kind = filetype.guess(content[:8192])
    if kind is not None:
        return kind.mime
    if declared and declared.split(";")[0].strip() in {"text/plain", "text/csv", "text/vcard"}:
        try:
            content[:8192].decode("utf-8")
            return declared.split(";")[0].strip()
        except UnicodeDecodeError:
            pass
    return "application/octet-stream"


class AttachmentStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, content: bytes, declared_type: str | None) -> StoredFile:
        content_type = detect_type(content, declared_type)
        if content_type in FORBIDDEN_TYPES or content.startswith((b"MZ", b"\x7fELF")):
            raise ForbiddenContent(f"files of type {content_type} are not accepted")
        digest = hashlib.sha256(content).hexdigest()
        key = f"{digest[:2]}/{digest[2:4]}/{digest}"
        path = self.root / key
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename, so a crash never leaves half a file under its final name.
            fd, tmp = tempfile.mkstemp(dir=path.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            os.replace(tmp, path)
        return StoredFile(key=key, size=len(content), sha256=digest, content_type=content_type)

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError("attachment key escapes the store")
        return path
