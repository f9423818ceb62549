"""Folding quoted history and signatures out of a reply, so the timeline shows what the citizen
wrote this time (the full text is kept beside it).

Markers of English and Indonesian clients: Gmail "On … wrote:" / "Pada … menulis:" (which Gmail
may wrap over two lines), Outlook's "-----Original Message-----" / "-----Pesan Asli-----" and its
"From:/Sent:/To:/Subject:" (Dari:/Dikirim:/Kepada:/Subjek:) header block, `>` quoted lines, the
"-- " signature delimiter (RFC 3676 section 4.3) and the phone clients' "Sent from my …" lines.
A forwarded message is not history: its text is what the citizen is telling us, so it stays.
"""

from __future__ import annotations

import re

_WROTE = re.compile(
    r"^\s*(on\b.{0,200}\bwrote|pada\b.{0,200}\bmenulis|le\b.{0,200}\ba écrit|am\b.{0,200}"
    r"\bschrieb)\s*:?\s*$",
    re.IGNORECASE,
)
_WROTE_START = re.compile(r"^\s*(on|pada)\s+\S", re.IGNORECASE)
_ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(original message|pesan asli|pesan awal|reply message|balasan)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_HEADER_FIELD = re.compile(
    r"^\s*\*?(from|dari|sent|dikirim|date|tanggal|to|kepada|cc|subject|subjek|perihal)\s*:\*?",
    re.IGNORECASE,
)
_FROM_FIELD = re.compile(r"^\s*\*?(from|dari)\s*:", re.IGNORECASE)
_RULE = re.compile(r"^\s*_{10,}\s*$")
_SIGNATURE = re.compile(r"^-- ?$")
_PHONE = re.compile(
    r"^\s*(sent from (my )?\S.{0,60}|dikirim dari .{1,60}|get outlook for \w+"
    r"|dapatkan outlook untuk \w+|sent from yahoo mail.{0,40}|dikirim dari yahoo mail.{0,40}"
    r"|sent via .{1,40})\s*$",
    re.IGNORECASE,
)
_FORWARD = re.compile(
    r"^\s*(-{2,}\s*)?(forwarded message|pesan terusan|begin forwarded message|mulai pesan yang"
    r" diteruskan|pesan yang diteruskan)\b.*$",
    re.IGNORECASE,
)


def _history_starts(lines: list[str]) -> int | None:
    """Index of the first line of quoted history or signature, or None."""
    for i, line in enumerate(lines):
        if _FORWARD.match(line):
            return None  # everything from here on is a forward: keep it
        if _WROTE.match(line) or _ORIGINAL.match(line) or _SIGNATURE.match(line):
            return i
        if _WROTE_START.match(line) and i + 1 < len(lines):
            joined = f"{line.strip()} {lines[i + 1].strip()}"
            if _WROTE.match(joined):
                return i
        if _FROM_FIELD.match(line) and _outlook_block(lines, i):
            return i - 1 if i and _RULE.match(lines[i - 1]) else i
        if line.startswith(">") and all(not s.strip() or s.startswith(">") for s in lines[i:]):
            return i
        if _PHONE.match(line) and not any(s.strip() for s in lines[i + 1 : i + 3]):
            return i
    return None


def _outlook_block(lines: list[str], start: int) -> bool:
    """Two or more header fields (From plus Sent/To/Subject) in the lines from `start`."""
    fields = 0
    for line in lines[start : start + 6]:
        if _HEADER_FIELD.match(line):
            fields += 1
        elif line.strip():
            break
    return fields >= 3


def fold(text: str) -> tuple[str, bool]:
    """(the new text, whether anything was folded away). Never returns empty text for a
    non-empty message: a reply that is nothing but a quote keeps everything."""
    lines = text.split("\n")
    cut = _history_starts(lines)
    if cut is None:
        return text.strip(), False
    kept = lines[:cut]
    while kept and (not kept[-1].strip() or _PHONE.match(kept[-1])):
        kept.pop()
    head = "\n".join(kept).strip()
    if not head:
        return text.strip(), False
    return head, True
