"""Mail that must never feed the complaint register: auto-replies, list and bulk mail, and
bounces. A bounce of one of our replies becomes a `failed` status with the server's reason.

- Auto-Submitted: RFC 3834 https://www.rfc-editor.org/rfc/rfc3834#section-5
- DSN (multipart/report; report-type=delivery-status): RFC 3464
  https://www.rfc-editor.org/rfc/rfc3464
- Precedence and X-Autoreply are de-facto (Sendmail, Exchange, vacation programs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser

from channels.email.decode import header_text, part_text
from channels.email.threading import ids_in

_AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic)?\s*(reply|response)|autoreply|auto:|out of (the )?office|balasan otomatis"
    r"|jawaban otomatis|di luar kantor|sedang cuti|abwesenheitsnotiz)",
    re.IGNORECASE,
)
_DAEMON = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"(undeliver|delivery status notification|delivery (has )?failed|returned mail|failure notice"
    r"|mail delivery (failed|subsystem)|tidak terkirim|gagal terkirim|pengiriman gagal)",
    re.IGNORECASE,
)
_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")


@dataclass(frozen=True)
class Bounce:
    original_ids: tuple[str, ...]
    reason: str
    status: str | None  # the enhanced status code (5.1.1), when given
    permanent: bool


def auto_reply_reason(msg: Message) -> str | None:
    """Why this mail is machine-sent and must not open or answer a ticket; None if human."""
    auto = header_text(msg.get("Auto-Submitted")).lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto[:40]}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply"):
        if msg.get(name) is not None:
            return name
    precedence = header_text(msg.get("Precedence")).lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        return f"Precedence: {precedence}"
    if msg.get("List-Id") is not None or msg.get("List-Unsubscribe") is not None:
        return "mailing list"
    suppress = header_text(msg.get("X-Auto-Response-Suppress")).lower()
    if _AUTO_SUBJECT.match(header_text(msg.get("Subject"))) and suppress:
        return "out-of-office"
    if _AUTO_SUBJECT.match(header_text(msg.get("Subject"))):
        return "auto-reply subject"
    return None


def is_bounce(msg: Message, sender: str) -> bool:
    if msg.get_content_type() == "multipart/report":
        return (msg.get_param("report-type") or "").lower() == "delivery-status"
    if msg.get("X-Failed-Recipients") is not None:
        return True
    return bool(_DAEMON.match(sender)) and bool(
        _BOUNCE_SUBJECT.search(header_text(msg.get("Subject")))
    )


def read_bounce(msg: Message) -> Bounce:
    """The ids of the bounced mail and the reason, from a DSN or a plain-text bounce."""
    actions: list[str] = []
    statuses: list[str] = []
    diagnostics: list[str] = []
    ids: list[str] = []
    texts: list[str] = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            for block in _delivery_status_blocks(part):
                actions += [header_text(block.get("Action")).lower()] if block["Action"] else []
                statuses += [header_text(block.get("Status"))] if block["Status"] else []
                if block["Diagnostic-Code"]:
                    diagnostics.append(header_text(block.get("Diagnostic-Code")))
        elif ctype in ("message/rfc822", "message/global") and part.is_multipart():
            inner = part.get_payload(0)
            if isinstance(inner, Message):
                ids += ids_in(header_text(inner.get("Message-ID")))
        elif ctype in ("text/rfc822-headers", "message/rfc822-headers"):
            headers = HeaderParser().parsestr(part_text(part))
            ids += ids_in(header_text(headers.get("Message-ID")))
        elif ctype == "text/plain" and not part.get_filename():
            texts.append(part_text(part))
    text = "\n".join(texts)
    if not ids:  # a plain bounce that quotes the original's headers in its text
        quoted = re.finditer(r"(?im)^\s*message-id:\s*(<[^>]+>)", text)
        ids = [i for m in quoted for i in ids_in(m[1])]
    if not statuses:
        statuses = _STATUS.findall(text)[:1]
    status = statuses[0].split()[0] if statuses and statuses[0] else None
    permanent = not actions or any(a.startswith("failed") for a in actions)
    if status and status.startswith("4") and not any(a.startswith("failed") for a in actions):
        permanent = False
    harmless = ("delayed", "delivered", "relayed", "expanded")
    if actions and all(a.startswith(harmless) for a in actions):
        permanent = False
    reason = "; ".join(dict.fromkeys(diagnostics)) or _first_reason(text) or "the mail bounced"
    return Bounce(tuple(dict.fromkeys(ids)), reason[:500], status, permanent)


def _delivery_status_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    # Some servers send the report as text; parse its header blocks ourselves.
    text = payload if isinstance(payload, str) else ""
    return [HeaderParser().parsestr(block) for block in re.split(r"\n\s*\n", text) if block.strip()]


def _first_reason(text: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if _STATUS.search(line) or re.search(r"\b5\d\d\b", line):
            return line[:300]
    return ""
