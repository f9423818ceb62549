"""A reply from the inbox as an RFC 5322 mail: a fresh Message-ID, In-Reply-To and References
from the ticket's thread, the register number in the subject. Pure.

Header injection: every header value is reduced to one clean line before it is set, the
recipient must be one plain address, and `EmailMessage` under the SMTP policy refuses CR/LF in
any header anyway, so nothing a citizen wrote can add a header.
"""

from __future__ import annotations

import re
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate

from channels.base import OutboundMessage, PermanentError
from channels.email.threading import clean_header_text, reply_subject

_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,}$")
_REF = re.compile(r"^[\x21-\x3b\x3d\x3f-\x7e]{1,250}$")  # printable, no "<", ">" or space


def plain_address(value: str) -> str:
    value = value.strip()
    if not _ADDRESS.match(value):
        raise PermanentError(f"not a usable mail address: {value[:80]!r}", code="bad_address")
    return value


def build_reply(
    sender: str, display_name: str | None, message: OutboundMessage, message_id: str
) -> EmailMessage:
    mail = EmailMessage(policy=policy.SMTP)
    name = clean_header_text(display_name, 100)
    local, _, domain = plain_address(sender).partition("@")
    mail["From"] = Address(display_name=name, username=local, domain=domain)
    mail["To"] = plain_address(message.recipient_id)
    mail["Subject"] = reply_subject(message.subject, message.register_no)
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = f"<{message_id}>"
    refs = [r for r in message.thread_refs if _REF.match(r) and not r.startswith("sha256:")]
    if refs:
        mail["In-Reply-To"] = f"<{refs[-1]}>"
        mail["References"] = " ".join(f"<{r}>" for r in refs)
    # Asks Exchange not to answer our replies with out-of-office mail (fewer loops).
    mail["X-Auto-Response-Suppress"] = "OOF, AutoReply"
    mail.set_content(message.body.replace("\r\n", "\n"), charset="utf-8")
    return mail
