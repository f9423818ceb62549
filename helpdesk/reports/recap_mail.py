"""The daily recap (rekap harian), sent on a schedule: by email to the office's list, and posted
in the office's staff (admin) group where it has one.

Offices file keys (see `helpdesk.reports.settings`): `recap_to = ["kabid@…", …]` the addresses,
`recap_at = "16:30"` the office-local time from which the day's recap is sent (default 16:30,
the close of the working day), `recap_group = true` to post it in the staff group too, and
`register_mask` for the register book. The job (`send_daily_recaps`) runs with every sweep and
sends each office's recap once a day: a claim on the office's row (marked in its settings)
keeps two workers from both sending, and a failed send is tried again when the claim runs out.

Sending goes through the office's own channel accounts and their adapters (the mailbox's SMTP
server; the staff group's bot), so this module knows no platform.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from channels.base import ChannelError, OutboundMessage, StaffGroupAdapter
from helpdesk.db import transaction
from helpdesk.models import ChannelAccount, Office, utcnow
from helpdesk.offices import account_config
from helpdesk.reports.figures import build_report
from helpdesk.reports.periods import day
from helpdesk.reports.tables import title_of
from helpdesk.runtime import Runtime

log = logging.getLogger(__name__)

DEFAULT_AT = "16:30"
CLAIM = timedelta(minutes=10)


def recap_text(report: dict[str, Any]) -> str:
    """The recap as plain text: what a mail body and a group post can both carry."""
    office = report["offices"][0]["name"]
    t, first = report["totals"], report["first_response"]
    lines = [
        office,
        title_of(report),
        "",
        f"Pengaduan masuk: {t['tickets']} (kemarin {report['previous']['totals']['tickets']})",
        f"Selesai: {t['resolved']}; belum selesai: {t['unresolved']}",
        f"Melewati batas waktu (saat ini): {t['overdue_now']}",
    ]
    if first["median_minutes"] is not None:
        lines.append(
            f"Respons pertama: median {first['median_minutes']:.0f} menit, "
            f"p90 {first['p90_minutes']:.0f} menit"
        )
    if report["by_channel"]:
        lines.append(
            "Kanal: " + ", ".join(f"{r['label']} {r['count']}" for r in report["by_channel"])
        )
    if report["by_category"]:
        lines.append(
            "Kategori: " + ", ".join(f"{r['label']} {r['count']}" for r in report["by_category"])
        )
    late = [s for s in report["sop_compliance"] if s["missed"]]
    if report["sop_overall"]["share_met"] is not None:
        lines.append(f"Kepatuhan SOP: {report['sop_overall']['share_met']:.1f}% tepat waktu")
    for step in late:
        listed = ", ".join(step["missed_tickets"][:10])
        lines.append(f"- terlambat di {step['label']}: {step['missed']} ({listed})")
    return "\n".join(lines)


def _due(office: Office, now: datetime) -> tuple[bool, str]:
    settings = office.settings or {}
    local = now.astimezone(ZoneInfo(office.timezone))
    hour, minute = (int(x) for x in str(settings.get("recap_at", DEFAULT_AT)).split(":"))
    return local.time() >= time(hour, minute), local.date().isoformat()


async def _claim(rt: Runtime, office_id: int, today: str, now: datetime) -> bool:
    async with transaction(rt.sessions) as session:
        office = await session.get_one(Office, office_id, with_for_update=True)
        settings = dict(office.settings or {})
        claim = settings.get("recap_claim") or {}
        if settings.get("recap_sent") == today:
            return False
        if claim.get("day") == today and datetime.fromisoformat(claim["until"]) > now:
            return False
        settings["recap_claim"] = {"day": today, "until": (now + CLAIM).isoformat()}
        office.settings = settings
        return True


async def _finish(rt: Runtime, office_id: int, today: str, error: str | None) -> None:
    async with transaction(rt.sessions) as session:
        office = await session.get_one(Office, office_id, with_for_update=True)
        settings = dict(office.settings or {})
        if error is None:
            settings["recap_sent"] = today
            settings.pop("recap_claim", None)
            settings.pop("recap_error", None)
        else:
            settings["recap_error"] = error[:500]
        office.settings = settings


async def send_daily_recaps(rt: Runtime, now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    counts = {"offices": 0, "mails": 0, "posts": 0, "failed": 0}
    async with rt.sessions() as session:
        offices = [
            o
            for o in await session.scalars(select(Office).order_by(Office.id))
            if (o.settings or {}).get("recap_to") or (o.settings or {}).get("recap_group")
        ]
    for office in offices:
        due, today = _due(office, now)
        if not due or not await _claim(rt, office.id, today, now):
            continue
        counts["offices"] += 1
        try:
            sent = await _send(rt, office.id, today)
        except ChannelError as exc:
            log.warning("daily recap of %s not sent: %s", office.code, exc.message)
            counts["failed"] += 1
            await _finish(rt, office.id, today, exc.message)
            continue
        counts["mails"] += sent[0]
        counts["posts"] += sent[1]
        await _finish(rt, office.id, today, None)
    return counts


async def _send(rt: Runtime, office_id: int, today: str) -> tuple[int, int]:
    from helpdesk.consultation_mirror.outgoing import staff_account

    async with rt.sessions() as session:
        office = await session.get_one(Office, office_id)
        report = await build_report(session, [office], day(datetime.fromisoformat(today).date()))
        mailbox = await session.scalar(
            select(ChannelAccount)
            .where(
                ChannelAccount.office_id == office.id,
                ChannelAccount.kind == "email",
                ChannelAccount.active.is_(True),
            )
            .order_by(ChannelAccount.id)
            .limit(1)
        )
        group = (
            await staff_account(session, office.id) if office.settings.get("recap_group") else None
        )
        recipients = list(office.settings.get("recap_to") or ())
    text, subject = recap_text(report), title_of(report)
    mails = posts = 0
    if recipients:
        if mailbox is None:
            raise ChannelError(
                "the office has no mailbox to send the recap from", code="no_mailbox"
            )
        adapter = rt.adapters.get(mailbox.kind)
        if adapter is None:
            raise ChannelError("no adapter for the office's mailbox", code="no_adapter")
        config = account_config(mailbox)
        for address in recipients:
            await adapter.send(
                config, OutboundMessage(recipient_id=address, body=text, subject=subject)
            )
            mails += 1
    if group is not None:
        adapter = rt.adapters.get(group.kind)
        config = account_config(group)
        if isinstance(adapter, StaffGroupAdapter) and (chat := adapter.staff_group_id(config)):
            await adapter.send(config, OutboundMessage(recipient_id=chat, body=text))  # type: ignore[attr-defined]
            posts += 1
    return mails, posts
