"""A raw mail into the very `email.message.Message` tree (compat32) that
`email.message_from_bytes(raw, policy=compat32)` builds, without walking the body line by line.

Why: the stdlib FeedParser hands every line of a mail to Python code, base64 attachments
included (a 1 MB photo is ~13,000 lines), and that was a fifth of the serve process's time when
ingesting mail. Here only header lines are handled one by one, as FeedParser's `_parse_headers`
does (each field through the policy's own `header_source_parse`, so raw values and order are the
stdlib's); bodies are cut with `str.find` and `re` at C speed and set as payload strings, and the
multipart rules of FeedParser are followed to the character:

- lines end at `\\n` (with or without `\\r` before it); a lone `\\r` also ends a line for
  FeedParser, which this reader does not follow, so such a mail goes to the stdlib;
- a boundary line is `--boundary`, optionally `--`, optional spaces/tabs, then the line end
  (RFC 2046 section 5.1.1); the line end before it belongs to the boundary (stripped from the
  part before it, or from that part's epilogue when it is itself a multipart; an empty
  epilogue becomes None there), the preamble loses its last line end and is None when empty;
- a line matching an enclosing boundary ends every part inside it (RFC 2046 5.1.2);
- `multipart/digest` children default to `message/rfc822`; a `message/*` body is one nested
  message (payload `[Message]`).

Whenever a mail holds anything FeedParser would treat specially (a header block with a defect,
no header/body separator, no boundary parameter, a missing start or close delimiter, two
delimiter lines in a row, a multipart with a transfer encoding, `message/delivery-status`,
nesting deeper than `MAX_DEPTH`, lone CRs) the whole mail is read by the stdlib instead, so the
result is always the stdlib's tree. `tests/channels/email/test_mime_tree.py` holds the proof.

- FeedParser: https://github.com/python/cpython/blob/3.11/Lib/email/feedparser.py
- RFC 2046 section 5.1: https://www.rfc-editor.org/rfc/rfc2046#section-5.1
"""

from __future__ import annotations

import email
import re
from email import policy
from email.message import Message

MAX_DEPTH = 20
# The empty line that ends a header block (FeedParser's NLCRE.match on a whole line).
_BLANK_LINE = re.compile(r"^\r?\n", re.MULTILINE)
# What may follow `--boundary` on a delimiter line (FeedParser's boundaryre without the sep).
_DELIMITER_TAIL = re.compile(r"(?P<end>--)?[ \t]*(?:\r?\n|\Z)")
# A field line as FeedParser's headerRE has it: printable name characters up to the colon.
_FIELD = re.compile(r"[\041-\071\073-\176]*:")
_PLAIN_ENCODINGS = ("7bit", "8bit", "binary")


class _NotClean(Exception):
    """Something FeedParser handles in its own way: the stdlib reads the whole mail."""


def read(raw: bytes) -> Message:
    """`email.message_from_bytes(raw, policy=compat32)`, the same tree, fast when the mail is
    well-formed."""
    tree = read_fast(raw)
    if tree is None:
        return email.message_from_bytes(raw, policy=policy.compat32)
    return tree


def read_fast(raw: bytes) -> Message | None:
    """The tree built without FeedParser's line walk, or None when the mail is not clean enough
    to be sure it is the stdlib's tree."""
    # message_from_bytes decodes so too: every byte kept, non-ASCII as lone surrogates.
    text = raw.decode("ascii", "surrogateescape")
    if text.count("\r") != text.count("\r\n"):
        return None
    try:
        return _message(text, 0, len(text), 0, digest_child=False, strip_eol=False)
    except _NotClean:
        return None


def _message(
    text: str, start: int, end: int, depth: int, *, digest_child: bool, strip_eol: bool
) -> Message:
    """The message in `text[start:end]`. `strip_eol`: the part ends before a delimiter line,
    whose leading line end FeedParser takes from the last thing read (`_last`)."""
    if depth > MAX_DEPTH:
        raise _NotClean
    blank = _BLANK_LINE.search(text, start, end)
    if blank is None:
        raise _NotClean
    msg = _headers(text[start : blank.start()])
    if digest_child:
        msg.set_default_type("message/rfc822")
    body = blank.end()
    if msg.get_content_type() == "message/delivery-status":
        raise _NotClean
    maintype = msg.get_content_maintype()
    if maintype == "message":
        child = _message(text, body, end, depth + 1, digest_child=False, strip_eol=strip_eol)
        msg.set_payload([child])
    elif maintype == "multipart":
        _multipart(msg, text, body, end, depth, strip_eol=strip_eol)
    else:
        msg.set_payload(text[body : _without_eol(text, body, end) if strip_eol else end])
    return msg


def _headers(block: str) -> Message:
    """A message with the header block's headers, as FeedParser's `_parse_headers` sets them
    (the policy's own `header_source_parse`), for a block it would take whole and without a
    defect; anything else (a line that is no header, a leading continuation, a From line after
    the first, a name-less field) is `_NotClean`."""
    msg = Message(policy=policy.compat32)
    lines = block.split("\n")
    lines.pop()  # the block ends with its last line's "\n" (or is empty)
    name_lines: list[str] = []
    for number, line in enumerate(lines):
        line += "\n"
        if line[0] in " \t":
            if not name_lines:
                raise _NotClean  # FirstHeaderLineIsContinuationDefect
            name_lines.append(line)
            continue
        if name_lines:
            msg.set_raw(*policy.compat32.header_source_parse(name_lines))
            name_lines = []
        if line.startswith("From "):
            if number:
                raise _NotClean  # a misplaced envelope line, or the body's first line
            msg.set_unixfrom(line.rstrip("\r\n"))
            continue
        if _FIELD.match(line) is None or line[0] == ":":
            raise _NotClean  # no header: FeedParser starts the body here, with a defect
        name_lines = [line]
    if name_lines:
        msg.set_raw(*policy.compat32.header_source_parse(name_lines))
    return msg


def _multipart(
    msg: Message, text: str, start: int, end: int, depth: int, *, strip_eol: bool
) -> None:
    boundary = msg.get_boundary()
    if not boundary:
        raise _NotClean
    if str(msg.get("content-transfer-encoding", "8bit")).lower() not in _PLAIN_ENCODINGS:
        raise _NotClean
    separator = "--" + boundary
    found = _next_delimiter(text, start, end, separator)
    if found is None or found[2]:
        raise _NotClean  # no start delimiter (or the close one first): StartBoundaryNotFound
    line_start, line_end, _ = found
    if line_start > start:
        msg.preamble = text[start : _without_eol(text, start, line_start)]
    digest = msg.get_content_type() == "multipart/digest"
    children: list[Message] = []
    while True:
        following = _next_delimiter(text, line_end, end, separator)
        if following is None or following[0] == line_end:
            # No close delimiter, or FeedParser's swallowing of repeated delimiter lines.
            raise _NotClean
        children.append(
            _message(text, line_end, following[0], depth + 1, digest_child=digest, strip_eol=True)
        )
        line_start, line_end, close = following
        if close:
            break
    msg.set_payload(children)
    epilogue = text[line_end:end]
    if strip_eol:
        msg.epilogue = text[line_end : _without_eol(text, line_end, end)] if epilogue else None
    else:
        msg.epilogue = epilogue


def _next_delimiter(text: str, pos: int, end: int, separator: str) -> tuple[int, int, bool] | None:
    """(line start, line end, is the close delimiter) of the first delimiter line in
    `text[pos:end]`; `pos` is always at the start of a line."""
    while True:
        at = text.find(separator, pos, end)
        if at < 0:
            return None
        if at == 0 or text[at - 1] == "\n":
            tail = _DELIMITER_TAIL.match(text, at + len(separator), end)
            if tail is not None:
                return at, tail.end(), tail.group("end") is not None
        pos = at + 1


def _without_eol(text: str, start: int, end: int) -> int:
    """`end` less the one line end that `text[start:end]` ends with, if any."""
    if end > start and text[end - 1] == "\n":
        end -= 1
        if end > start and text[end - 1] == "\r":
            end -= 1
    return end
