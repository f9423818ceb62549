"""Turning the bytes of real mail into text: charsets (declared, missing or wrong), RFC 2047
encoded words, and the transfer encodings that the parser leaves to us.

- RFC 2045/2047/2231: https://www.rfc-editor.org/rfc/rfc2047
- WHATWG's label table is what browsers do with the same mislabels:
  https://encoding.spec.whatwg.org/#names-and-labels
"""

from __future__ import annotations

import base64
import binascii
import codecs
import email.errors
import email.header
import email.utils
import re
from email.message import Message

from charset_normalizer import from_bytes

# Labels that mail clients write but Python does not know, or that mean a superset in practice
# (a "latin-1" mail from Windows is cp1252; "gb2312" mail is GB18030; Korean Outlook's label).
_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "ansi_x3.4-1968": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "x-mac-roman": "mac_roman",
    "unicode-1-1-utf-7": "utf-7",
    "utf8": "utf-8",
    "x-user-defined": "cp1252",
    "windows-874": "cp874",
}
# Labels that promise nothing: guess from the bytes.
_UNKNOWN = {"", "unknown", "unknown-8bit", "x-unknown", "default", "charset", "8bit", "binary"}
_SINGLE_BYTE = re.compile(r"^(cp125\d|iso-?8859-\d+|mac_roman|cp874|koi8-[ru])$")


def charset_of(label: str | None) -> str | None:
    """A Python codec for a declared charset label; None when it is unknown or meaningless."""
    name = (label or "").strip().strip("\"'").lower()
    if name in _UNKNOWN:
        return None
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Text from bytes, whatever the label says. UTF-8 that decodes cleanly wins over a
    single-byte label (the commonest mislabel); an unknown label is guessed; nothing raises."""
    if not data:
        return ""
    codec = charset_of(declared)
    if data.isascii():
        return data.decode("ascii")
    if codec != "utf-8" and (codec is None or _SINGLE_BYTE.match(codec)):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if codec is not None:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass
    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode(codec or "cp1252", errors="replace")


def header_text(value: object) -> str:
    """A header's value as text: encoded words decoded, raw 8-bit guessed, one line."""
    if value is None:
        return ""
    if isinstance(value, email.header.Header):
        chunks = email.header.decode_header(value)
    else:
        raw = str(value)
        if any("\udc80" <= c <= "\udcff" for c in raw):
            # 8-bit bytes in a header (no encoded words): the parser kept them as surrogates.
            raw = decode_bytes(raw.encode("utf-8", "surrogateescape"))
        try:
            chunks = email.header.decode_header(raw)
        except (ValueError, email.errors.HeaderParseError):
            return " ".join(raw.split())
    parts: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            parts.append(decode_bytes(chunk, charset))
        else:
            parts.append(chunk)
    # decode_header drops the space between an encoded word and plain text only sometimes.
    text = "".join(parts) if len(chunks) > 1 else parts[0] if parts else ""
    return " ".join(text.split())


def address(value: object) -> tuple[str, str]:
    """(display name, lower-cased address) of a From/To-like header; ("", "") when none."""
    # The address is read from the header as sent, before encoded words are decoded: a name
    # that decodes to "x\r\nBcc: a@b" or "Bcc: a@b <…>" must stay a name, never an address.
    raw = _raw(value)
    name, addr = email.utils.parseaddr(raw)
    if "@" not in addr:
        match = re.search(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+", raw)
        addr = match.group(0) if match else ""
    name = " ".join(header_text(name).split())
    if len(name) > 1 and name[0] == name[-1] and name[0] in "\"'":
        name = name[1:-1].strip()
    return name, addr.strip().lower()


def addresses(values: list[object]) -> list[str]:
    found = email.utils.getaddresses([_raw(v) for v in values if v is not None])
    return [a.strip().lower() for _, a in found if "@" in a]


def _raw(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, email.header.Header):  # 8-bit bytes in the header: guess them
        return header_text(value)
    return " ".join(str(value).split())


def part_bytes(part: Message) -> bytes:
    """A leaf part's payload with its transfer encoding undone, tolerating broken base64 and
    quoted-printable (the parser returns the raw bytes when it cannot decode)."""
    raw = part.get_payload()
    if isinstance(raw, str) and part.get("Content-Transfer-Encoding", "").strip().lower() == (
        "base64"
    ):
        return _lenient_base64(raw)
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogateescape")
    return b""


def _lenient_base64(text: str) -> bytes:
    """Base64 with the damage mail systems do: stray characters, lost padding, a cut tail."""
    pad = text.find("=")
    head = text if pad < 0 else text[:pad]
    if pad < 0 or not text[pad:].strip("= \t\r\n"):  # "=" only as the closing padding
        try:
            # The common case, in C: a2b_base64 skips line breaks and stray characters itself.
            return binascii.a2b_base64(text.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError):
            pass  # a lost padding or a cut tail: mended below
    data = re.sub(r"[^A-Za-z0-9+/]", "", head)
    if len(data) % 4 == 1:
        data = data[:-1]
    data += "=" * (-len(data) % 4)
    try:
        return base64.b64decode(data)
    except (binascii.Error, ValueError):
        return text.encode("ascii", "replace")


def part_text(part: Message) -> str:
    return decode_bytes(part_bytes(part), part.get_content_charset())
