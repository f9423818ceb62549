"""Complaints received in person: checking the form's fields, and registering one as a ticket."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.auth import Principal
from helpdesk.db import transaction
from helpdesk.models import AuditEvent, Direction, Message, Office, Role
from helpdesk.walk_in import InPerson, Refused, checked, mask_nik, normalise_phone, register

GOOD = InPerson(channel="counter", name="Budi", text="KK rusak")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0812-3456-7890", "6281234567890"),
        ("+62 812 3456 7890", "6281234567890"),
        ("(0274) 555 123", "62274555123"),
    ],
)
def test_phone_numbers_become_whatsapp_ids(raw, expected):
    assert normalise_phone(raw) == expected


def test_a_nik_is_shown_masked():
    assert mask_nik("3329012345678901") == "332901********01"
    assert mask_nik("123") == ""


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"channel": "whatsapp"}, "channel", "invalid"),
        ({"name": " \t "}, "name", "required"),
        ({"name": "x" * 201}, "name", "too_long"),
        ({"text": "\x00\x01"}, "text", "required"),
        ({"text": "x" * 4001}, "text", "too_long"),
        ({"category": "bribe"}, "category", "invalid"),
        ({"phone": "12"}, "phone", "invalid"),
        ({"phone": "<b>0812</b>"}, "phone", "invalid"),
        ({"email": "budi@localhost"}, "email", "invalid"),
        ({"email": "<x>@example.id"}, "email", "invalid"),
        ({"nik": "33290123456789"}, "nik", "invalid"),
        ({"nik": "33290123456789AB"}, "nik", "invalid"),
    ],
)
def test_bad_fields_are_refused_by_name(change, field, code):
    with pytest.raises(Refused) as refused:
        checked(InPerson(**{**GOOD.__dict__, **change}))
    assert (refused.value.field, refused.value.code) == (field, code)


def test_good_fields_are_cleaned():
    clean = checked(
        InPerson(
            channel="phone",
            name="  Budi   Santoso ",
            text="  KK rusak\r\nmohon bantu \x07 ",
            phone="0812 3456 7890",
            email="Budi@Example.ID",
            nik="3329.0123.4567.8901",
        )
    )
    assert (clean.name, clean.text) == ("Budi Santoso", "KK rusak\nmohon bantu")
    assert (clean.phone, clean.email, clean.nik) == (
        "6281234567890",
        "budi@example.id",
        "3329012345678901",
    )


async def test_registering_makes_a_ticket_with_a_register_number_and_its_first_message(rt, seed):
    async with transaction(rt.sessions) as session:
        office = (await session.scalars(select(Office).where(Office.code == "brebes"))).one()
        cs = Principal(
            seed.users["admin_brebes"], "admin_brebes", "Admin", False, {office.id: Role.admin}
        )
        ticket = await register(
            session,
            office,
            cs,
            InPerson(channel="counter", name="Budi", text="KK rusak", nik="3329012345678901"),
        )
        ticket_id = ticket.id
    async with rt.sessions() as session:
        [message] = list(
            await session.scalars(select(Message).where(Message.ticket_id == ticket_id))
        )
        [opened] = list(
            await session.scalars(
                select(AuditEvent).where(
                    AuditEvent.ticket_id == ticket_id, AuditEvent.action == "ticket.opened"
                )
            )
        )
    assert ticket.register_no.startswith("ADU/BREBES/") and ticket.channel == "counter"
    assert (message.direction, message.channel, message.body) == (
        Direction.inbound,
        "counter",
        "KK rusak",
    )
    assert message.details["nik"] == "3329012345678901" and message.details["name"] == "Budi"
    assert opened.detail["channel"] == "counter"


async def test_only_desk_roles_of_the_office_may_register(rt, seed):
    async with transaction(rt.sessions) as session:
        office = (await session.scalars(select(Office).where(Office.code == "brebes"))).one()
        outsider = Principal(seed.users["kasie_tomohon"], "kasie_tomohon", "K", False, {})
        kasie = Principal(
            seed.users["kasie_tomohon"], "kasie_tomohon", "K", False, {office.id: Role.kasie}
        )
        for who in (outsider, kasie):
            with pytest.raises(Refused):
                await register(session, office, who, GOOD)
