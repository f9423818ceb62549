"""The offices file: validated with clear errors, loaded idempotently, secrets left in env."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpdesk.db import transaction
from helpdesk.models import ChannelAccount, InboundEvent, Office, Ticket
from helpdesk.offices import (
    FILE_KEYS,
    OfficesFileError,
    account_config,
    apply_offices,
    load_offices,
    parse_offices,
)
from tests.conftest import BREBES_WA, OFFICES_TOML, TOMOHON_WA, inbound
from tests.helpdesk.web.test_webhooks import signed

WA_FIXTURES = Path(__file__).parents[1] / "channels" / "whatsapp" / "fixtures"
# Brebes as the seed has it, without its WhatsApp number: the number was given up.
BREBES_WITHOUT_WA = """
[[office]]
code = "brebes"
name = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Brebes"
sop = "brebes"
timezone = "Asia/Jakarta"
"""

WITH_ENV = """
[[office]]
code = "sukamara"
name = "Disdukcapil Kabupaten Sukamara"
timezone = "Asia/Jakarta"

[[office.channel]]
kind = "whatsapp"
phone_number_id = "env:SUKAMARA_WA_ID"
access_token = "env:SUKAMARA_WA_TOKEN"
app_secret = "env:META_APP_SECRET"
verify_token = "plain-verify"
"""
ENV = {
    "SUKAMARA_WA_ID": "1122",
    "SUKAMARA_WA_TOKEN": "EAAG-secret",
    "META_APP_SECRET": "app-secret",
}


async def test_loading_twice_changes_nothing(rt):
    for _ in range(2):
        async with transaction(rt.sessions) as session:
            await apply_offices(session, parse_offices(OFFICES_TOML))
    async with rt.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Office)) == 2
        assert await session.scalar(select(func.count()).select_from(ChannelAccount)) == 2


async def test_env_references_are_stored_as_written_and_resolved_when_used(rt, monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    async with transaction(rt.sessions) as session:
        await apply_offices(session, parse_offices(WITH_ENV))
    async with rt.sessions() as session:
        account = (await session.scalars(select(ChannelAccount))).one()
    assert account.key == "1122"
    assert account.config["access_token"] == "env:SUKAMARA_WA_TOKEN"
    assert account_config(account).get("access_token") == "EAAG-secret"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not toml [", "not valid TOML"),
        ("[other]\nx = 1", "no [[office]]"),
        ('[[office]]\ncode = "a b"\nname = "x"', "`code`"),
        ('[[office]]\ncode = "x"', "`name` is required"),
        ('[[office]]\ncode = "x"\nname = "X"\ntimezone = "Mars/Base"', "unknown timezone"),
        ('[[office]]\ncode = "x"\nname = "X"\nregister_format = "{year}"', "register format"),
        (
            '[[office]]\ncode = "x"\nname = "X"\n[[office.channel]]\nkind = "fax"',
            "unknown kind 'fax'",
        ),
        (
            '[[office]]\ncode = "x"\nname = "X"\n[[office.channel]]\nkind = "whatsapp"\n'
            'phone_number_id = "1"',
            "missing access_token, app_secret, verify_token",
        ),
        (WITH_ENV, "missing phone_number_id, access_token, app_secret"),  # env vars unset
    ],
)
def test_a_wrong_file_is_refused_with_the_place_named(text, message):
    with pytest.raises(OfficesFileError, match=message.replace("[", r"\[").replace("(", r"\(")):
        parse_offices(text, env={})


EVERY_SETTING = """
[[office]]
code = "brebes"
name = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Brebes"
sop = "brebes"
register_mask = "initials"
recap_to = ["kabid@brebes.test"]
recap_at = "16:00"
recap_group = true
holidays = ["2026-08-18"]

[office.working_hours]
mon = "08:00-15:00"
"""
BARE = """
[[office]]
code = "brebes"
name = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Brebes"
sop = "brebes"
"""


def test_every_setting_the_file_can_give_is_one_a_load_replaces():
    [spec] = parse_offices(EVERY_SETTING)
    assert set(spec.settings) == set(FILE_KEYS)


async def test_a_setting_removed_from_the_file_is_removed_from_the_office(rt):
    async with transaction(rt.sessions) as session:
        await apply_offices(session, parse_offices(EVERY_SETTING))
    async with transaction(rt.sessions) as session:
        office = await session.scalar(select(Office).where(Office.code == "brebes"))
        # State the helpdesk keeps beside the configuration (the recap's last day).
        office.settings = {**office.settings, "recap_sent": "2026-08-14"}
    async with transaction(rt.sessions) as session:
        await apply_offices(session, parse_offices(BARE))
    async with rt.sessions() as session:
        office = await session.scalar(select(Office).where(Office.code == "brebes"))
    assert office.settings == {"recap_sent": "2026-08-14"}


async def test_a_changed_setting_takes_the_file_s_value(rt):
    async with transaction(rt.sessions) as session:
        await apply_offices(session, parse_offices(EVERY_SETTING))
    async with transaction(rt.sessions) as session:
        await apply_offices(
            session, parse_offices(BARE + 'register_mask = "none"\nrecap_at = "15:30"\n')
        )
    async with rt.sessions() as session:
        office = await session.scalar(select(Office).where(Office.code == "brebes"))
    assert office.settings == {"register_mask": "none", "recap_at": "15:30"}


async def accounts(rt) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return {a.key: a.active for a in await session.scalars(select(ChannelAccount))}


async def test_a_full_load_deactivates_the_accounts_its_offices_no_longer_list(rt, seed, receive):
    received = await receive(inbound("KTP saya rusak"))  # a ticket on Brebes' number
    async with transaction(rt.sessions) as session:
        loaded = await load_offices(session, parse_offices(BREBES_WITHOUT_WA))
    assert [(a.kind, a.key) for a in loaded.deactivated] == [("whatsapp", BREBES_WA)]
    # Tomohon is not in the file: left as it is. Brebes' number is kept, inactive.
    assert await accounts(rt) == {BREBES_WA: False, TOMOHON_WA: True}
    async with rt.sessions() as session:
        ticket = await session.get_one(Ticket, received.ticket_id)
        assert ticket.channel_account_id is not None  # its tickets and messages stay
    async with transaction(rt.sessions) as session:  # nothing more to deactivate
        assert (await load_offices(session, parse_offices(BREBES_WITHOUT_WA))).deactivated == []
    async with transaction(rt.sessions) as session:  # listed again: back in use
        loaded = await load_offices(session, parse_offices(OFFICES_TOML))
    assert loaded.deactivated == []
    assert await accounts(rt) == {BREBES_WA: True, TOMOHON_WA: True}


async def test_a_partial_load_deactivates_nothing(rt, seed):
    async with transaction(rt.sessions) as session:
        loaded = await load_offices(session, parse_offices(BREBES_WITHOUT_WA), partial=True)
    assert loaded.deactivated == []
    assert await accounts(rt) == {BREBES_WA: True, TOMOHON_WA: True}


async def test_a_deactivated_number_s_webhooks_make_no_ticket(client, rt, seed, jobs):
    async with transaction(rt.sessions) as session:
        await apply_offices(session, parse_offices(BREBES_WITHOUT_WA))
    rt.forget_accounts()
    body = (WA_FIXTURES / "text_message.json").read_bytes()
    assert BREBES_WA.encode() in body
    response = await client.post("/webhooks/whatsapp", content=body, headers=signed(body))
    assert response.status_code == 200  # kept, as for any number we do not know
    await jobs.drain()
    async with rt.sessions() as session:
        [event] = await session.scalars(select(InboundEvent))
        assert event.status == "unrouted"
        assert await session.scalar(select(func.count()).select_from(Ticket)) == 0
