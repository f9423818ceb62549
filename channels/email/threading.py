"""Mail threading (RFC 5322 section 3.6.4): message ids, reference chains, register numbers.

A reply carries In-Reply-To (its parent's id) and References (the chain, oldest first). Ingest
matches those ids against the Message-IDs stored on a ticket's messages; a register number
quoted in the subject is the fallback for clients that drop the headers.
https://www.rfc-editor.org/rfc/rfc5322#section-3.6.4
"""

from __future__ import annotations

import hashlib
import re
import secrets

# Message ids are stored without their angle brackets; longer ones than the column holds are
# replaced by their digest (the same input always gives the same id).
MAX_ID = 250
_ID = re.compile(r"<([^<>\s]+)>")
# What our outgoing subjects carry, e.g. "Re: KTP rusak [Reg: ADU/brebes/2026/000123]".
REGISTER_TAG = "Reg:"
_TAGGED = re.compile(r"\[\s*Reg(?:ister)?\s*[:#.]?\s*([^\[\]\s]{3,80})\s*\]", re.IGNORECASE)
# A register number a citizen typed without our tag (the default format ADU/office/year/seq).
_BARE = re.compile(r"\b([A-Za-z]{2,10}/[\w.-]{1,40}/\d{4}/\d{1,10})\b")
# Reply and forward prefixes of English and Indonesian mail clients (Re, Fwd, Balas, Bls, Trs…).
_PREFIX = re.compile(
    r"^\s*((re|fw|fwd|aw|wg|tr|bls|balas|trs|teruskan|ttg)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085]+")


def normalise_id(value: str) -> str | None:
    """A message id as we store it: no brackets or spaces; None when there is nothing."""
    value = value.strip()
    match = _ID.search(value)
    ident = match.group(1) if match else value.strip("<> \t\r\n")
    ident = "".join(ident.split())
    if not ident:
        return None
    if len(ident) > MAX_ID:
        return "sha256:" + hashlib.sha256(ident.encode("utf-8", "replace")).hexdigest()
    return ident


def ids_in(value: str | None) -> list[str]:
    """Every bracketed id in a header value, in order (References, In-Reply-To)."""
    if not value:
        return []
    found = [normalise_id(m) for m in _ID.findall(value)]
    if not found and value.strip():  # some clients drop the brackets of a lone id
        found = [normalise_id(value)] if " " not in value.strip() else []
    return [i for i in found if i]


def thread_refs(in_reply_to: str | None, references: str | None) -> tuple[str, ...]:
    """The ids a reply refers to, nearest first: In-Reply-To, then References newest first."""
    ordered = ids_in(in_reply_to) + list(reversed(ids_in(references)))
    return tuple(dict.fromkeys(ordered))


def register_in_subject(subject: str | None) -> str | None:
    """The register number a subject quotes: our bracketed tag first, then a bare one."""
    if not subject:
        return None
    tagged = _TAGGED.findall(subject)
    if tagged:
        return tagged[-1]
    bare = _BARE.findall(subject)
    return bare[-1] if bare else None


def clean_header_text(value: str | None, limit: int = 200) -> str:
    """One line of text safe in a header: no CR, LF or other control characters."""
    return " ".join(_CONTROL.sub(" ", value or "").split())[:limit]


def reply_subject(subject: str | None, register_no: str | None) -> str:
    """`Re: <the ticket's subject> [Reg: <register number>]`, on one clean line."""
    base = clean_header_text(subject, 150)
    base = _TAGGED.sub("", base)
    base = _PREFIX.sub("", base).strip() or "Pengaduan"
    tag = f" [{REGISTER_TAG} {clean_header_text(register_no, 80)}]" if register_no else ""
    return f"Re: {base}{tag}"


def new_message_id(address: str) -> str:
    """A fresh, unguessable id on the mailbox's domain (stored without brackets)."""
    domain = address.rpartition("@")[2].strip().lower() or "helpdesk.invalid"
    domain = re.sub(r"[^a-z0-9.-]", "", domain) or "helpdesk.invalid"
    return f"helpdesk.{secrets.token_hex(16)}@{domain}"
