"""Canned answers' variables are filled in by plain substitution."""

from __future__ import annotations

from helpdesk.canned import fill
from helpdesk.models import Office, Ticket


def test_variables_are_filled_and_nothing_else_is_evaluated():
    office = Office(code="brebes", name="Dinas Dukcapil Kabupaten Brebes")
    ticket = Ticket(register_no="ADU/BREBES/2026/000007", category="kk")
    text = "{name}: {register_no}, {office}, {category}. {name.__class__} {0} {office!r} {{x}}"
    assert fill(text, ticket, office, "Siti") == (
        "Siti: ADU/BREBES/2026/000007, Dinas Dukcapil Kabupaten Brebes, Kartu Keluarga (KK). "
        "{name.__class__} {0} {office!r} {{x}}"
    )
    assert fill("Yth. {name}", ticket, office, "").startswith("Yth. Bapak/Ibu")
