"""Finding and masking NIK and KK numbers, and the keys contacts are compared by."""

from __future__ import annotations

import pytest

from helpdesk.personal_data import (
    REVEAL_ROLES,
    contains_id_number,
    is_id_number,
    mask,
    mask_deep,
    may_reveal,
    name_key,
    phone_key,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # NIK and KK numbers, however they are written, are masked
        ("NIK saya 3329010101900001", "NIK saya 3329••••••••0001"),
        ("NIK: 3329014101900001.", "NIK: 3329••••••••0001."),  # a woman's NIK (day + 40)
        ("KK 3329012511150003 ya", "KK 3329••••••••0003 ya"),
        ("3329 0101 0190 0001", "3329••••••••0001"),
        ("3329-0101-0190-0001", "3329••••••••0001"),
        ("332901.010190.0001", "3329••••••••0001"),
        ("33.29.01.010190.0001", "3329••••••••0001"),
        ("(3329010101900001)", "(3329••••••••0001)"),
        ("nik3329010101900001", "nik3329••••••••0001"),
        (
            "NIK 3329010101900001 dan KK 7371012511150003",
            "NIK 3329••••••••0001 dan KK 7371••••••••0003",
        ),
        ("9471016502010002 Papua", "9471••••••••0002 Papua"),
        # phone numbers are never masked
        ("HP 081234567890", "HP 081234567890"),
        ("WA +62 812-3456-7890", "WA +62 812-3456-7890"),
        ("6281234567890", "6281234567890"),
        ("628123456789012", "628123456789012"),  # 15 digits, the longest phone number
        ("0812 3456 7890 1234", "0812 3456 7890 1234"),  # 16 digits but province 08
        # register numbers, dates, amounts and other long numbers are never masked
        ("ADU/BREBES/2026/000123", "ADU/BREBES/2026/000123"),
        ("ADU/brebes/2026/3329010101900001", "ADU/brebes/2026/3329010101900001"),
        ("https://fb.com/posts/3329010101900001", "https://fb.com/posts/3329010101900001"),
        ("lahir 01-01-1990", "lahir 01-01-1990"),
        ("biaya Rp 1.500.000.000.000", "biaya Rp 1.500.000.000.000"),
        ("33290101019000011", "33290101019000011"),  # 17 digits
        ("332901010190001", "332901010190001"),  # 15 digits
        # sixteen digits that are not a NIK's structure stay as they are
        ("3329013201900001", "3329013201900001"),  # day 32
        ("3329017201900001", "3329017201900001"),  # day 72 (a woman's 32)
        ("3329010113900001", "3329010113900001"),  # month 13
        ("3329010101900000", "3329010101900000"),  # sequence 0000
        ("9929010101900001", "9929010101900001"),  # no province 99
        ("3300010101900001", "3300010101900001"),  # regency 00
        ("3329 0101-0190.0001", "3329 0101-0190.0001"),  # mixed separators
        ("", ""),
    ],
)
def test_masking(text: str, expected: str) -> None:
    assert mask(text) == expected
    assert contains_id_number(text) is (expected != text)


def test_nothing_to_mask_is_returned_unchanged() -> None:
    assert mask(None) is None
    text = "KTP saya rusak, bagaimana cara menggantinya?"
    assert mask(text) is text


def test_structure() -> None:
    assert is_id_number("3329010101900001")
    assert not is_id_number("332901010190000")
    assert not is_id_number("33290101019000a1")


def test_details_are_masked_deeply() -> None:
    details = {"subject": "NIK 3329010101900001", "n": 3, "list": ["3329010101900001", None]}
    assert mask_deep(details) == {
        "subject": "NIK 3329••••••••0001",
        "n": 3,
        "list": ["3329••••••••0001", None],
    }


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin", True),
        ("pejabat_teknis", True),
        ("kasie", True),
        ("kabid", True),
        ("kadis", True),
        ("superuser", True),
        ("cs", False),
        ("group_admin", False),
        (None, False),
        ("", False),
    ],
)
def test_who_may_see_a_number_in_full(role: str | None, allowed: bool) -> None:
    assert may_reveal(role) is allowed
    assert (role in REVEAL_ROLES) is allowed


@pytest.mark.parametrize(
    ("phone", "key"),
    [
        ("+62 812-3456-7890", "6281234567890"),
        ("0812 3456 7890", "6281234567890"),
        ("6281234567890", "6281234567890"),
        ("(0812) 3456.7890", "6281234567890"),
        ("81234567890", "6281234567890"),
        ("0062 812 3456 7890", "6281234567890"),
        ("+31 6 12345678", "31612345678"),
        ("", None),
        (None, None),
        ("call me", None),
        ("12", None),
    ],
)
def test_phone_keys(phone: str | None, key: str | None) -> None:
    assert phone_key(phone) == key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Budi Santoso", "budi santoso"),
        ("Bpk. Budi  Santoso", "budi santoso"),
        ("BUDI SANTOSO", "budi santoso"),
        ("Ibu Siti Aminah", "siti aminah"),
        ("Sitî Āminah", "siti aminah"),
        ("Pak", "pak"),  # a form of address alone is kept: nothing else to compare
        ("Al", None),
        ("", None),
        (None, None),
        ("12345", None),
    ],
)
def test_name_keys(name: str | None, key: str | None) -> None:
    assert name_key(name) == key
