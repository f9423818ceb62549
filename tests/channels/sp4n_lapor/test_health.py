"""A LAPOR account's health follows its feed, against the LAPOR simulator: an outage shows on
the account while it lasts, and goes once a round of polling works again (as email's does)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from sqlalchemy import select

from helpdesk.models import AccountHealth, ChannelAccount, ChannelCursor
from helpdesk.polling import POLL_ERROR, Pollers
from helpdesk.runtime import Runtime
from tests.channels.sp4n_lapor.helpers import events


async def account(rt: Runtime, account_id: int) -> ChannelAccount:
    async with rt.sessions() as session:
        found = await session.get(ChannelAccount, account_id)
        assert found is not None
        return found


async def wait_until(
    rt: Runtime, account_id: int, check: Callable[[ChannelAccount], bool], timeout: float = 30.0
) -> ChannelAccount:
    deadline = time.monotonic() + timeout
    while not check(found := await account(rt, account_id)):
        if time.monotonic() > deadline:
            raise AssertionError(f"account stayed {found.health!r}, {found.last_error!r}")
        await asyncio.sleep(0.1)
    return found


async def poll_error_on_record(rt: Runtime, account_id: int) -> dict | None:
    async with rt.sessions() as session:
        return await session.scalar(
            select(ChannelCursor.value).where(
                ChannelCursor.channel_account_id == account_id, ChannelCursor.name == POLL_ERROR
            )
        )


async def test_lapor_back_after_an_outage_clears_the_error(rt, lapor_sim, lapor_account):
    lapor_sim.faults(down=True)
    pollers = Pollers(rt, scan_seconds=0.2, renew_seconds=0.5, backoff=(0.1, 0.2, 0.5))
    pollers.start()
    try:
        down = await wait_until(rt, lapor_account, lambda a: a.last_error is not None)
        assert down.health == AccountHealth.ok  # an outage is not the office's to fix
        assert await poll_error_on_record(rt, lapor_account) is not None

        tracking = lapor_sim.file("KTP-el saya belum jadi.")
        lapor_sim.faults(down=False)  # LAPOR is back
        healed = await wait_until(rt, lapor_account, lambda a: a.last_error is None)
        assert healed.last_error_at is None and healed.health == AccountHealth.ok
        assert await poll_error_on_record(rt, lapor_account) is None
        assert [e.headers["tracking_id"] for e in await events(rt)] == [tracking]
    finally:
        await pollers.close()
