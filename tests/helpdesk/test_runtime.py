"""The runtime's account cache: webhooks never queue behind re-reading the channel accounts.
A started process's heap: frozen out of the collector's passes, which then run again."""

from __future__ import annotations

import asyncio
import subprocess
import sys

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


def test_a_started_process_collects_again_without_walking_what_it_built():
    # A fresh interpreter: freezing the test process's heap would outlive this test.
    script = (
        "import gc\n"
        "gc.disable()  # as helpdesk.cli.main starts a command\n"
        "import helpdesk.app\n"
        "from helpdesk.runtime import settle_heap\n"
        "settle_heap()\n"
        "print(gc.isenabled(), gc.get_freeze_count() > 10_000)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True"]
