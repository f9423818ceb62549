"""The daily recap by email on a schedule: once per office and day, from the office's mailbox,
after the office-local hour it is set for; the offices file keys are checked."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select

from channels.email.localmail import SmtpServer
from helpdesk.db import transaction
from helpdesk.models import Office
from helpdesk.offices import OfficesFileError, apply_offices, parse_offices
from helpdesk.reports.recap_mail import send_daily_recaps
from tests.helpdesk.reports.fixtures import make_august, wib

MAILBOX = """
[[office]]
code = "brebes"
name = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Brebes"
sop = "brebes"
timezone = "Asia/Jakarta"
recap_to = ["kabid@brebes.test", "kadis@brebes.test"]
recap_at = "16:00"
register_mask = "initials"

[[office.channel]]
kind = "email"
address = "dukcapil@brebes.test"
imap_host = "127.0.0.1"
imap_port = "9"
imap_user = "dukcapil"
imap_password = "x"
imap_tls = "none"
smtp_host = "127.0.0.1"
smtp_port = "{port}"
smtp_tls = "none"
"""


@pytest.fixture
def smtp(tmp_path: Path):  # type: ignore[no-untyped-def]
    with SmtpServer(tmp_path / "spool") as server:
        yield server


async def test_the_recap_is_mailed_once_after_the_set_hour(rt, seed, smtp):
    async with transaction(rt.sessions) as session:
        await apply_offices(session, parse_offices(MAILBOX.format(port=smtp.port)), partial=True)
    await make_august(rt, seed.users)

    early = await send_daily_recaps(rt, now=wib(2026, 8, 14, 15, 59))
    assert early["mails"] == 0 and smtp.received() == []

    sent = await send_daily_recaps(rt, now=wib(2026, 8, 14, 16, 5))
    assert sent == {"offices": 1, "mails": 2, "posts": 0, "failed": 0}
    mails = [message_from_bytes(raw, policy=policy.default) for raw in smtp.received()]
    assert sorted(m["To"] for m in mails) == ["kabid@brebes.test", "kadis@brebes.test"]
    body = mails[0].get_body().get_content()
    assert "Rekap Harian Pengaduan — 14 Agustus 2026" in mails[0]["Subject"]
    assert "Pengaduan masuk: 1" in body and "Email 1" in body

    again = await send_daily_recaps(rt, now=wib(2026, 8, 14, 18, 0))
    assert again["offices"] == 0 and len(smtp.received()) == 2
    tomorrow = await send_daily_recaps(rt, now=wib(2026, 8, 15, 16, 30))
    assert tomorrow["mails"] == 2 and len(smtp.received()) == 4


async def test_an_unreachable_mail_server_is_tried_again_later(rt, seed, tmp_path):
    async with transaction(rt.sessions) as session:
        await apply_offices(session, parse_offices(MAILBOX.format(port=9)), partial=True)
    failed = await send_daily_recaps(rt, now=wib(2026, 8, 14, 16, 5))
    assert failed["failed"] == 1
    async with rt.sessions() as session:
        office = await session.scalar(select(Office).where(Office.code == "brebes"))
        assert "recap_sent" not in office.settings and office.settings["recap_error"]
    # Within the claim nobody tries again; after it, the next sweep does.
    assert (await send_daily_recaps(rt, now=wib(2026, 8, 14, 16, 10)))["offices"] == 0
    assert (await send_daily_recaps(rt, now=wib(2026, 8, 14, 16, 20)))["failed"] == 1


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ('recap_to = ["not an address"]', "recap_to"),
        ('recap_at = "25:00"', "recap_at"),
        ('register_mask = "everything"', "register_mask"),
    ],
)
def test_bad_report_keys_are_refused_at_load(line, error):
    text = (
        MAILBOX.format(port=25)
        .replace('recap_at = "16:00"\n', "")
        .replace('register_mask = "initials"\n', "")
        .replace('recap_to = ["kabid@brebes.test", "kadis@brebes.test"]\n', line + "\n")
    )
    with pytest.raises(OfficesFileError, match=error):
        parse_offices(text)


def test_report_keys_reach_the_office_settings():
    [spec] = parse_offices(MAILBOX.format(port=25))
    assert spec.settings["register_mask"] == "initials"
    assert spec.settings["recap_at"] == "16:00"
    assert spec.settings["recap_to"] == ["kabid@brebes.test", "kadis@brebes.test"]
