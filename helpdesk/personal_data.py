"""Personal data in free text (UU 27/2022): finding and masking NIK and KK numbers, who may see
them in full, and the normalised keys contacts are compared by (phone numbers, names).

Platform-neutral and pure: no database, no web. The inbox masks every message body, subject and
preview with `mask`; the full text is shown only on request to a role in `REVEAL_ROLES`, and each
such reveal is audited (helpdesk.contacts.record_reveal).

A NIK (Nomor Induk Kependudukan) and a KK number (Nomor Kartu Keluarga) are both 16 digits:
province (2) + regency/city (2) + district (2) + a date DDMMYY (in a NIK a woman's day is DD+40;
in a KK number it is the issue date) + a 4-digit sequence that is never 0000. The structure is
checked, so a phone number (at most 15 digits), a register number ("ADU/BREBES/2026/000123"), an
amount or a date is never masked. A Facebook or Instagram id that happens to fit the structure
is masked: a false positive costs a click, a missed NIK is a leak.
https://id.wikipedia.org/wiki/Nomor_Induk_Kependudukan
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any, overload

# Province codes (Kemendagri): Sumatra 11-19, Jakarta to East Java 31-36, Bali/Nusa Tenggara
# 51-53, Kalimantan 61-65, Sulawesi 71-76, Maluku 81-82, the Papuan provinces 91-96.
PROVINCES = frozenset(
    (*range(11, 20), 21, *range(31, 37), *range(51, 54), *range(61, 66), *range(71, 77))
) | frozenset((81, 82, *range(91, 97)))
MASK = "•"
# Roles that may see a NIK or KK number in full (on request, audited). Officials decide on the
# citizen's record and the admin and the technical official check it against the population
# database; customer service (who meets the citizen and reads the card in person) and the
# consulted group of admins never need the number back from the inbox.
REVEAL_ROLES = frozenset({"admin", "pejabat_teknis", "kasie", "kabid", "kadis", "superuser"})

# Sixteen digits written as one run, 4-4-4-4, 6-6-4 or 2-2-2-6-4 with one kind of separator
# (space, dot or hyphen). Not inside a longer number, and not part of a path-like token such as
# a register number or a URL ("/" on either side).
_CANDIDATE = re.compile(
    # Starting with a plain digit lets the regex engine skip to digits; the lookbehind then
    # checks the character before it (5x faster than a leading lookbehind on every position).
    r"\d(?<![\d/]\d)(?:"
    r"\d{15}"
    r"|\d{3}(?P<s1>[ .-])\d{4}(?P=s1)\d{4}(?P=s1)\d{4}"
    r"|\d{5}(?P<s2>[ .-])\d{6}(?P=s2)\d{4}"
    r"|\d(?P<s3>[ .-])\d{2}(?P=s3)\d{2}(?P=s3)\d{6}(?P=s3)\d{4}"
    r")(?![\d/])"
)
_NON_DIGIT = re.compile(r"\D")


def is_id_number(digits: str) -> bool:
    """Whether 16 digits have the structure of a NIK or a KK number."""
    if len(digits) != 16 or not digits.isdigit():
        return False
    province, regency, district = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    day, month, sequence = int(digits[6:8]), int(digits[8:10]), int(digits[12:16])
    day = day - 40 if day > 40 else day  # a woman's NIK
    return (
        province in PROVINCES
        and regency > 0
        and district > 0
        and 1 <= day <= 31
        and 1 <= month <= 12
        and sequence > 0
    )


def find_id_numbers(text: str | None) -> Iterator[re.Match[str]]:
    """Every NIK or KK number in the text, as matches over the original text."""
    if not text:
        return
    for found in _CANDIDATE.finditer(text):
        if is_id_number(_NON_DIGIT.sub("", found.group(0))):
            yield found


def contains_id_number(text: str | None) -> bool:
    return next(find_id_numbers(text), None) is not None


def mask_number(digits: str) -> str:
    """ "3329010101010001" -> "3329••••••••0001": enough to tell two numbers apart."""
    return digits[:4] + MASK * 8 + digits[-4:]


@overload
def mask(text: str) -> str: ...
@overload
def mask(text: None) -> None: ...
def mask(text: str | None) -> str | None:
    """The text with every NIK and KK number masked; everything else (None too) untouched."""
    if not text:
        return text
    parts: list[str] = []
    last = 0
    for found in find_id_numbers(text):
        parts.append(text[last : found.start()])
        parts.append(mask_number(_NON_DIGIT.sub("", found.group(0))))
        last = found.end()
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def mask_deep(value: Any) -> Any:
    """`mask` applied to every string inside JSON-like data (a message's details)."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: mask_deep(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_deep(v) for v in value]
    return value


def may_reveal(role: str | None) -> bool:
    return role is not None and str(role) in REVEAL_ROLES


# -- keys contacts are compared by --------------------------------------------------------------
_PHONE_CHARS = re.compile(r"[\s().\-/]")


def phone_key(phone: str | None) -> str | None:
    """An Indonesian phone number in one form, 62 and the subscriber number ("+62 812-3456-7890",
    "0812 3456 7890" and "6281234567890" agree); None when it is not a plausible number."""
    if not phone:
        return None
    raw = _PHONE_CHARS.sub("", phone.strip())
    if raw.startswith("+"):
        raw = raw[1:]
    elif raw.startswith("00"):
        raw = raw[2:]
    if not raw.isdigit():
        return None
    if raw.startswith("0"):
        raw = "62" + raw[1:]
    elif raw.startswith("8") and 9 <= len(raw) <= 13:
        raw = "62" + raw  # written without any prefix
    return raw if 8 <= len(raw) <= 15 else None


_TITLES = frozenset(
    [
        "bapak",
        "bpk",
        "bp",
        "pak",
        "ibu",
        "ibuk",
        "bu",
        "sdr",
        "sdri",
        "saudara",
        "saudari",
        "mas",
        "mbak",
        "kak",
        "dr",
        "drs",
        "ir",
        "hj",
        "h",
    ]
)


def name_key(name: str | None) -> str | None:
    """A name compared without case, accents, punctuation or a leading form of address
    ("Bpk. Budi  Santoso" and "budi santoso" agree). None when too little is left to compare."""
    if not name:
        return None
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    words = [w for w in re.split(r"[^\w]+", text) if w and not w.isdigit()]
    while len(words) > 1 and words[0] in _TITLES:
        words = words[1:]
    key = " ".join(words)
    return key[:200] if len(key) >= 3 else None
