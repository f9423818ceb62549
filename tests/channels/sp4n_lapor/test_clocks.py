"""LAPOR's clocks on the office calendar, beside the SOP's: 5 working days from disposisi to
the first follow-up, then 10 working days after it; warned before, marked when passed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from helpdesk.db import transaction
from helpdesk.models import AuditEvent, Direction, Message, Ticket
from helpdesk.workflow import clock, deadlines
from tests.channels.sp4n_lapor.helpers import poll_once, tickets, timeline
from tests.inbox.conftest import ids_in, login

# Monday 11 May 2026, 10:00 WITA (Tomohon). Thu 14 (Ascension) and Fri 15 (cuti bersama) are off.
FORWARDED = datetime(2026, 5, 11, 2, 0, tzinfo=UTC)
WARN_AT = datetime(2026, 5, 19, 2, 0, tzinfo=UTC)  # 4 working days: Tue 19 May, 10:00 WITA
DUE_AT = datetime(2026, 5, 20, 2, 0, tzinfo=UTC)  # 5 working days: Wed 20 May, 10:00 WITA


async def _lapor_ticket(rt, lapor_sim, lapor_account) -> Ticket:
    lapor_sim.file(forwarded_at=FORWARDED.isoformat())
    await poll_once(rt, lapor_account)
    (ticket,) = await tickets(rt)
    return ticket


def _clocks(ticket: Ticket, now: datetime) -> dict[str, dict]:
    from helpdesk import external_deadlines

    return {c["name"]: c for c in external_deadlines.views_json(ticket, now)}


async def test_the_first_follow_up_is_due_five_working_days_after_disposisi(
    rt, lapor_sim, lapor_account
):
    ticket = await _lapor_ticket(rt, lapor_sim, lapor_account)
    clocks = _clocks(ticket, WARN_AT)
    first = clocks["lapor_first_follow_up"]
    assert (first["due_at"], first["warn_at"]) == (DUE_AT.isoformat(), WARN_AT.isoformat())
    assert first["state"] == "warning"
    assert clocks["lapor_after_follow_up"]["state"] == "waiting"
    assert clock.deadline_json(ticket, DUE_AT)["state"] == "overdue"  # the lists' flag


async def test_warned_once_before_and_marked_once_when_passed(
    rt, client, seed, lapor_sim, lapor_account
):
    ticket = await _lapor_ticket(rt, lapor_sim, lapor_account)
    for now in (WARN_AT, WARN_AT, DUE_AT, DUE_AT):
        await deadlines.check_deadlines(rt, now)
    async with rt.sessions() as session:
        actions = list(
            await session.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.ticket_id == ticket.id, AuditEvent.action.like("external_deadline%")
                )
            )
        )
    assert actions == ["external_deadline.warning", "external_deadline.passed"]
    notes = [m.body for m in await timeline(rt, ticket.id) if m.direction == Direction.note]
    assert len(notes) == 2 and "akan terlewati" in notes[0] and "terlewati" in notes[1]
    detail = await client.get(f"/api/v1/tickets/{ticket.id}", headers=seed.bearer("kasie_tomohon"))
    assert {c["name"]: c["state"] for c in detail.json()["external_deadlines"]} == {
        "lapor_first_follow_up": "overdue",
        "lapor_after_follow_up": "waiting",
    }


async def test_an_accepted_follow_up_meets_the_first_clock_and_starts_the_second(
    rt, lapor_sim, lapor_account
):
    ticket = await _lapor_ticket(rt, lapor_sim, lapor_account)
    accepted = datetime(2026, 5, 13, 1, 0, tzinfo=UTC)  # Wed 13 May, 09:00 WITA
    async with transaction(rt.sessions) as session:
        session.add(
            Message(
                ticket_id=ticket.id,
                direction=Direction.outbound,
                channel="sp4n_lapor",
                channel_account_id=lapor_account,
                external_id=f"{ticket.external_ref}/e1",
                body="Sedang kami proses.",
                status="sent",
                created_at=accepted,
                status_at=accepted,
            )
        )
    await deadlines.check_deadlines(rt, accepted)
    async with rt.sessions() as session:
        ticket = await session.get_one(Ticket, ticket.id)
    clocks = _clocks(ticket, accepted)
    assert clocks["lapor_first_follow_up"]["state"] == "met"
    second = clocks["lapor_after_follow_up"]
    # Mon 18 … Tue 26 May (7), Eid al-Adha 27-28 May off, Fri 29 (8), Pancasila Day 1 Jun off,
    # Tue 2 (9), Wed 3 Jun (10).
    assert second["due_at"] == datetime(2026, 6, 3, 1, 0, tzinfo=UTC).isoformat()
    assert second["state"] == "ok"


async def test_the_lists_count_a_lapor_deadline_that_comes_before_the_sops(
    rt, client, seed, lapor_sim, lapor_account
):
    ticket = await _lapor_ticket(rt, lapor_sim, lapor_account)
    async with transaction(rt.sessions) as session:  # say the SOP gave the office a month
        row = await session.get_one(Ticket, ticket.id)
        row.step_due_at = row.due_at = datetime.now(UTC) + timedelta(days=30)
    assert ticket.external_due_at == DUE_AT  # in the past: LAPOR's first follow-up is late
    assert (await login(client, "kasie_tomohon")).status_code == 303
    overdue = await client.get("/", params={"due": "overdue", "status": "active"})
    assert overdue.status_code == 200 and ticket.id in ids_in(overdue.text)
