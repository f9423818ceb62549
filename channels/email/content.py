"""The readable content of a parsed mail: its text, a sanitised HTML view, its attachments and
inline images, and forwarded messages; tolerant of broken MIME (a text is never lost).

Parts are addressed by their position in `Message.walk()` order, which is how an attachment is
found again in the stored raw mail (`part_at`).
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field
from email.message import Message

from channels.base import ContentKind, MediaRef
from channels.email import html as htmlview
from channels.email.decode import header_text, part_bytes, part_text

MEDIA_PREFIX = "part/"
_FILENAME_BAD = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


@dataclass
class Content:
    texts: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    media: list[MediaRef] = field(default_factory=list)
    forwarded: list[dict[str, str]] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(t.strip("\n") for t in self.texts if t.strip()).strip()


def extract(msg: Message) -> Content:
    content = Content()
    index = {id(part): i for i, part in enumerate(msg.walk())}
    _visit(msg, index, content)
    return content


def part_at(msg: Message, media_id: str) -> Message | None:
    if not media_id.startswith(MEDIA_PREFIX):
        return None
    try:
        wanted = int(media_id[len(MEDIA_PREFIX) :])
    except ValueError:
        return None
    for i, part in enumerate(msg.walk()):
        if i == wanted:
            return part
    return None


def _visit(part: Message, index: dict[int, int], out: Content, texts: bool = True) -> None:
    """`texts=False`: the caller has the text already (the plain side of an alternative), so
    HTML is only sanitised, not also turned into text."""
    ctype = part.get_content_type()
    maintype = part.get_content_maintype()
    if part.defects:
        out.defects += [type(d).__name__ for d in part.defects]
    if maintype == "multipart":
        children = part.get_payload()
        if not isinstance(children, list) or not children:
            # No boundary found: what is there is the text, whatever the headers claimed.
            out.texts.append(_strip_mime_debris(part_text(part)))
            return
        if ctype == "multipart/alternative":
            _alternative(children, index, out)
            return
        for child in children:
            if isinstance(child, Message):
                _visit(child, index, out, texts)
        return
    if ctype in ("message/rfc822", "message/global") and part.is_multipart():
        inner = part.get_payload(0)
        if isinstance(inner, Message):
            _forwarded(inner, index, out)
            return
    if _is_body_text(part):
        if part.get_content_subtype() == "html":
            markup = part_text(part)
            if texts:
                text, safe = htmlview.text_and_sanitised(markup)
                out.texts.append(text)
            else:
                safe = htmlview.sanitise(markup)
            out.html.append(safe)
        else:
            out.texts.append(_unflow(part_text(part), part))
        return
    out.media.append(_media(part, index))


def _alternative(children: list[Message], index: dict[int, int], out: Content) -> None:
    plain = [c for c in children if isinstance(c, Message) and c.get_content_type() == "text/plain"]
    rich = [c for c in children if isinstance(c, Message) and c.get_content_type() != "text/plain"]
    text = "\n".join(_unflow(part_text(p), p) for p in plain).strip()
    sub = Content()
    for child in rich:  # text/html, or multipart/related holding it with its inline images
        _visit(child, index, sub, texts=len(text) < 3)
    out.html += sub.html
    out.media += sub.media
    out.defects += sub.defects
    out.forwarded += sub.forwarded
    # Some clients send an empty or placeholder text part beside the real HTML.
    out.texts.append(text if len(text) >= 3 or not sub.text else sub.text)


def _forwarded(inner: Message, index: dict[int, int], out: Content) -> None:
    info = {
        "from": header_text(inner.get("From"))[:200],
        "subject": header_text(inner.get("Subject"))[:200],
        "date": header_text(inner.get("Date"))[:100],
    }
    out.forwarded.append(info)
    sub = Content()
    _visit(inner, index, sub)
    head = "---------- Pesan terusan / Forwarded message ----------"
    lines = [head, *(f"{k.title()}: {v}" for k, v in info.items() if v)]
    out.texts.append("\n".join(lines) + "\n\n" + sub.text)
    out.media += sub.media
    out.html += sub.html


def _is_body_text(part: Message) -> bool:
    if part.get_content_type() not in ("text/plain", "text/html"):
        return False
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    return disposition != "attachment" and not part.get_filename()


def _media(part: Message, index: dict[int, int]) -> MediaRef:
    ctype = part.get_content_type()
    maintype = part.get_content_maintype()
    kind = {
        "image": ContentKind.image,
        "audio": ContentKind.audio,
        "video": ContentKind.video,
    }.get(maintype, ContentKind.document)
    return MediaRef(
        media_id=f"{MEDIA_PREFIX}{index[id(part)]}",
        mime_type=ctype,
        filename=filename_of(part, index[id(part)]),
        kind=kind,
    )


def filename_of(part: Message, position: int) -> str:
    raw = part.get_filename() or part.get_param("name") or ""
    if isinstance(raw, tuple):  # an RFC 2231 value the parser left encoded
        raw = raw[2]
    name = _FILENAME_BAD.sub("_", header_text(raw)).strip(" ._")[:200]
    if name:
        return name
    ext = mimetypes.guess_extension(part.get_content_type()) or ".bin"
    return f"lampiran-{position}{ext}"


def media_bytes(part: Message) -> bytes:
    return part_bytes(part)


def _unflow(text: str, part: Message) -> str:
    """RFC 3676 format=flowed: a line ending in a space continues on the next one."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if (part.get_param("format") or "").lower() != "flowed":
        return text
    delsp = (part.get_param("delsp") or "").lower() == "yes"
    out: list[str] = []
    for line in text.split("\n"):
        if out and out[-1].endswith(" ") and out[-1] != "-- ":
            out[-1] = (out[-1][:-1] if delsp else out[-1]) + line
        else:
            out.append(line)
    return "\n".join(out)


def _strip_mime_debris(text: str) -> str:
    """Drop boundary lines and part headers from a multipart whose boundary was lost."""
    kept = [
        line
        for line in text.replace("\r\n", "\n").split("\n")
        if not re.match(r"^--[\w'()+,./:=?-]{6,}(--)?\s*$", line)
        and not re.match(r"^content-(type|transfer-encoding|disposition):", line, re.IGNORECASE)
    ]
    return "\n".join(kept)
