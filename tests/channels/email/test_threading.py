"""`channels/email/threading.py`: one table per rule."""

from __future__ import annotations

import pytest

from channels.email.threading import (
    new_message_id,
    normalise_id,
    register_in_subject,
    reply_subject,
    thread_refs,
)


@pytest.mark.parametrize(
    ("in_reply_to", "references", "refs"),
    [
        ("<b@x>", "<a@x> <b@x>", ("b@x", "a@x")),  # parent first, then the chain newest first
        (None, "<a@x>\r\n <b@x>\r\n <c@x>", ("c@x", "b@x", "a@x")),
        ("b@x", None, ("b@x",)),  # a client that drops the brackets
        ("<b@x> (Siti's message of Monday)", None, ("b@x",)),
        (None, None, ()),
    ],
)
def test_thread_refs_are_nearest_first(in_reply_to, references, refs):
    assert thread_refs(in_reply_to, references) == refs


@pytest.mark.parametrize(
    ("subject", "register_no"),
    [
        ("Re: KTP [Reg: ADU/brebes/2026/000123]", "ADU/brebes/2026/000123"),
        ("RE: RE: [reg ADU/brebes/2026/000123] lagi", "ADU/brebes/2026/000123"),
        ("Menanyakan ADU/brebes/2026/000007 kemarin", "ADU/brebes/2026/000007"),
        ("KTP rusak", None),
        (None, None),
    ],
)
def test_the_register_number_in_a_subject(subject, register_no):
    assert register_in_subject(subject) == register_no


@pytest.mark.parametrize(
    ("subject", "register_no", "expected"),
    [
        ("KTP rusak", "ADU/brebes/2026/000001", "Re: KTP rusak [Reg: ADU/brebes/2026/000001]"),
        (
            "Bls: RE: Fwd: KTP [Reg: ADU/brebes/2026/000001]",
            "ADU/brebes/2026/000001",
            "Re: KTP [Reg: ADU/brebes/2026/000001]",
        ),
        ("KTP\r\nBcc: x@evil.test", None, "Re: KTP Bcc: x@evil.test"),
        ("", "R1", "Re: Pengaduan [Reg: R1]"),
    ],
)
def test_reply_subjects(subject, register_no, expected):
    assert reply_subject(subject, register_no) == expected


def test_ids():
    assert normalise_id("  <a@b>  ") == "a@b" and normalise_id("<>") is None
    long = "x" * 300 + "@b"
    assert normalise_id(f"<{long}>") == normalise_id(long) and normalise_id(long).startswith(
        "sha256:"
    )
    one, two = new_message_id("Dukcapil@Brebes.go.id"), new_message_id("dukcapil@brebes.go.id")
    assert one != two and one.endswith("@brebes.go.id") and one.startswith("helpdesk.")
