"""HTML mail made safe to show and readable as text.

`sanitise` rebuilds the document from an allowlist (tags, and per tag the attributes), so what
comes out is safe by construction: no scripts, styles, event handlers, forms, frames, remote
images (tracking pixels) or `javascript:` links; every text and attribute is re-escaped.
`to_text` turns HTML-only mail into plain text with paragraphs, line breaks, list bullets and
link targets. Both stand on the standard library's tolerant `html.parser`.
https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_ALLOWED = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "b": set(),
    "blockquote": set(),
    "br": set(),
    "code": set(),
    "div": set(),
    "em": set(),
    "h1": set(),
    "h2": set(),
    "h3": set(),
    "h4": set(),
    "h5": set(),
    "h6": set(),
    "hr": set(),
    "i": set(),
    "li": set(),
    "ol": set(),
    "p": set(),
    "pre": set(),
    "s": set(),
    "small": set(),
    "span": set(),
    "strong": set(),
    "sub": set(),
    "sup": set(),
    "table": set(),
    "tbody": set(),
    "td": {"colspan", "rowspan"},
    "tfoot": set(),
    "th": {"colspan", "rowspan"},
    "thead": set(),
    "tr": set(),
    "u": set(),
    "ul": set(),
}
_VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source"}
# Everything inside these is dropped, not just the tags.
_DROP_CONTENT = {
    "script",
    "style",
    "head",
    "title",
    "iframe",
    "object",
    "noscript",
    "template",
    "svg",
    "math",
    "frameset",
    "frame",
    "applet",
    "select",
    "textarea",
    "button",
}
_SAFE_URL = re.compile(r"^(https?:|mailto:|tel:)", re.IGNORECASE)
_BLOCK = {
    "p",
    "div",
    "table",
    "tr",
    "ul",
    "ol",
    "blockquote",
    "pre",
    "hr",
    "section",
    "article",
    "header",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "center",
    "dl",
}
_INVISIBLE = re.compile(r"[\u200b-\u200d\ufeff\u00ad]")


class _Walker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.dropping = 0
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_CONTENT:
            if tag not in _VOID:
                self.dropping += 1
            return
        if not self.dropping:
            self.start(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _DROP_CONTENT and not self.dropping:
            self.start(tag, attrs)
            if tag not in _VOID:
                self.end(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_CONTENT:
            self.dropping = max(0, self.dropping - 1)
            return
        if not self.dropping:
            self.end(tag)

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.text(data)

    def start(self, tag: str, attrs: list[tuple[str, str | None]]) -> None: ...
    def end(self, tag: str) -> None: ...
    def text(self, data: str) -> None: ...


class _Sanitiser(_Walker):
    def __init__(self) -> None:
        super().__init__()
        self.out: list[str] = []
        self.open: list[str] = []
        self.images = 0

    def start(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images += 1
            alt = next((v for k, v in attrs if k == "alt" and v), "")
            self.out.append(f"[{html.escape(alt[:100])}]" if alt else "[gambar]")
            return
        allowed = _ALLOWED.get(tag)
        if allowed is None:
            return
        kept = []
        for name, value in attrs:
            if name not in allowed or value is None:
                continue
            if name == "href" and not _SAFE_URL.match(value.strip()):
                continue
            kept.append(f' {name}="{html.escape(value, quote=True)}"')
        if tag == "a":
            kept.append(' rel="noopener noreferrer nofollow" target="_blank"')
        self.out.append(f"<{tag}{''.join(kept)}>")
        if tag not in _VOID:
            self.open.append(tag)

    def end(self, tag: str) -> None:
        if tag in self.open:
            while self.open:
                closing = self.open.pop()
                self.out.append(f"</{closing}>")
                if closing == tag:
                    break

    def text(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))


class _Texter(_Walker):
    def __init__(self) -> None:
        super().__init__()
        self.out: list[str] = []
        self.href: list[str | None] = []
        self.pre = 0

    def start(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.out.append("\n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in ("td", "th"):
            self.out.append("\t")
        elif tag in _BLOCK:
            self.out.append("\n\n")
        if tag == "pre":
            self.pre += 1
        if tag == "a":
            self.href.append(dict(attrs).get("href"))
        if tag == "blockquote":
            self.out.append("\x01")  # marks quoted text; see to_text

    def end(self, tag: str) -> None:
        if tag == "a" and self.href:
            href = self.href.pop()
            if href and _SAFE_URL.match(href) and not href.lower().startswith("mailto:"):
                last = self.out[-1].strip() if self.out else ""
                if href not in last:
                    self.out.append(f" ({href})")
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag == "blockquote":
            self.out.append("\x02")
        if tag in _BLOCK or tag == "li":
            self.out.append("\n")

    def text(self, data: str) -> None:
        self.out.append(data if self.pre else re.sub(r"\s+", " ", data))


class _Both(_Walker):
    """One parse feeding both: an HTML-only mail needs its text and its safe view."""

    def __init__(self) -> None:
        super().__init__()
        self.sanitiser = _Sanitiser()
        self.texter = _Texter()

    def start(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.sanitiser.start(tag, attrs)
        self.texter.start(tag, attrs)

    def end(self, tag: str) -> None:
        self.sanitiser.end(tag)
        self.texter.end(tag)

    def text(self, data: str) -> None:
        self.sanitiser.text(data)
        self.texter.text(data)


def sanitise(markup: str, limit: int = 200_000) -> str:
    parser = _Sanitiser()
    parser.feed(markup[: limit * 2])
    parser.close()
    return _sanitised(parser, limit)


def to_text(markup: str) -> str:
    """Readable plain text; quoted blocks (`<blockquote>`) become `> ` lines."""
    parser = _Texter()
    parser.feed(markup)
    parser.close()
    return _text(parser)


def text_and_sanitised(markup: str, limit: int = 200_000) -> tuple[str, str]:
    """`(to_text(markup), sanitise(markup, limit))` in one parse."""
    parser = _Both()
    parser.feed(markup)
    parser.close()
    return _text(parser.texter), _sanitised(parser.sanitiser, limit)


def _sanitised(parser: _Sanitiser, limit: int) -> str:
    parser.end(parser.open[0]) if parser.open else None
    return "".join(parser.out)[:limit]


def _text(parser: _Texter) -> str:
    raw = _INVISIBLE.sub("", "".join(parser.out).replace("\xa0", " "))
    lines: list[str] = []
    depth = 0
    for line in raw.split("\n"):
        depth += line.count("\x01")
        text = line.replace("\x01", "").replace("\x02", "").strip(" \t")
        lines.append(("> " * depth + text).rstrip() if text else ("> " * depth).rstrip())
        depth = max(0, depth - line.count("\x02"))
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
