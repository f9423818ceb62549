"""The offices file: validated with clear errors, loaded idempotently, secrets left in env."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from helpdesk.db import transaction
from helpdesk.models import ChannelAccount, Office
from helpdesk.offices import (
    FILE_KEYS,
    OfficesFileError,
    account_config,
    apply_offices,
    parse_offices,
)
from tests.conftest import OFFICES_TOML

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
