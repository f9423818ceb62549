"""The runtime's account cache: webhooks never queue behind re-reading the channel accounts."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update

from helpdesk import runtime
from helpdesk.db import transaction
from helpdesk.models import ChannelAccount
from tests.conftest import BREBES_WA


async def test_an_expired_account_list_is_served_while_one_task_reads_it_again(
    rt, seed, monkeypatch: pytest.MonkeyPatch
):
    first = await rt.accounts_of_kind("whatsapp")
    assert BREBES_WA in {a.key for a in first}
    monkeypatch.setattr(runtime, "ACCOUNT_CACHE_SECONDS", 0.0)
    async with transaction(rt.sessions) as session:
        await session.execute(
            update(ChannelAccount).where(ChannelAccount.key == BREBES_WA).values(active=False)
        )

    during = await asyncio.gather(*(rt.accounts_of_kind("whatsapp") for _ in range(20)))
    assert all(accounts is first for accounts in during)  # the last list, at once

    async with asyncio.timeout(10):
        while BREBES_WA in {a.key for a in await rt.accounts_of_kind("whatsapp")}:
            await asyncio.sleep(0.01)


async def test_callers_before_the_first_read_share_it(rt, seed):
    lists = await asyncio.gather(*(rt.accounts_of_kind("whatsapp") for _ in range(20)))
    assert all(accounts is lists[0] for accounts in lists)
