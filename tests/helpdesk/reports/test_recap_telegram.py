"""The daily recap posted in the office's staff group (the Telegram admin group), against the
Bot API simulator with python-telegram-bot pointed at it."""

from __future__ import annotations

from helpdesk.db import transaction
from helpdesk.offices import apply_offices, parse_offices
from helpdesk.reports.recap_mail import send_daily_recaps
from tests.channels.telegram.conftest import (  # noqa: F401 - fixtures
    BREBES_GROUP,
    TELEGRAM_TOML,
    TOMOHON_GROUP,
    endpoints,
    telegram_sim,
)
from tests.helpdesk.reports.fixtures import make_august, wib


async def test_the_recap_is_posted_in_the_admin_group_once(rt, seed, telegram_sim):  # noqa: F811
    toml = TELEGRAM_TOML.replace(
        'timezone = "Asia/Jakarta"\n', 'timezone = "Asia/Jakarta"\nrecap_group = true\n', 1
    )
    async with transaction(rt.sessions) as session:
        await apply_offices(session, parse_offices(toml), partial=True)
    rt.forget_accounts()
    await make_august(rt, seed.users)

    sent = await send_daily_recaps(rt, now=wib(2026, 8, 14, 17, 0))
    assert sent == {"offices": 1, "mails": 0, "posts": 1, "failed": 0}
    [post] = telegram_sim.store.sent_by_bot(BREBES_GROUP)
    assert "Rekap Harian Pengaduan — 14 Agustus 2026" in post["text"]
    assert "Pengaduan masuk: 1" in post["text"]
    assert telegram_sim.store.sent_by_bot(TOMOHON_GROUP) == []  # Tomohon asked for none

    await send_daily_recaps(rt, now=wib(2026, 8, 14, 18, 0))
    assert len(telegram_sim.store.sent_by_bot(BREBES_GROUP)) == 1
