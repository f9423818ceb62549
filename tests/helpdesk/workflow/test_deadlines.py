"""The deadline job: a warning before a time standard passes, the profile's action after."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from helpdesk.jobs.tasks import JOBS, sweep
from helpdesk.models import Direction, Message, StepTransition
from helpdesk.workflow import clock
from helpdesk.workflow.deadlines import check_deadlines
from tests.conftest import TOMOHON_WA, inbound
from tests.helpdesk.workflow.helpers import act, events, load


async def test_the_job_warns_once_before_the_kasies_day_runs_out(rt, receive):
    ticket_id = (await receive(inbound("KTP rusak", account=TOMOHON_WA))).ticket_id
    ticket = await load(rt, ticket_id)
    warn_at = ticket.sla_check_at
    assert warn_at < ticket.step_due_at  # Tomohon warns 2 hours before
    assert (await check_deadlines(rt, now=warn_at - timedelta(seconds=1)))["tickets"] == 0
    for _ in range(2):
        await check_deadlines(rt, now=warn_at)
    [warning] = await events(rt, ticket_id, "deadline.step_warning")
    assert warning.detail["step"] == "kasie"
    ticket = await load(rt, ticket_id)
    assert clock.deadline_json(ticket, warn_at)["state"] == "warning"
    assert ticket.sla_check_at == ticket.step_due_at


async def test_when_the_day_passes_tomohon_escalates_to_the_kabid_and_tells_the_kadis(rt, receive):
    ticket_id = (await receive(inbound("KK hilang", account=TOMOHON_WA))).ticket_id
    due = (await load(rt, ticket_id)).step_due_at
    counts = await check_deadlines(rt, now=due + timedelta(minutes=1))
    assert counts["passed"] == 2  # the Kasie's step, and the day overall
    ticket = await load(rt, ticket_id)
    assert ticket.step == "kabid"
    assert clock.deadline_json(ticket, due + timedelta(minutes=1))["state"] == "overdue"
    async with rt.sessions() as session:
        moved = (await session.scalars(select(StepTransition).order_by(StepTransition.id))).all()
        notes = (
            await session.scalars(select(Message.body).where(Message.direction == Direction.note))
        ).all()
    assert (moved[-1].from_step, moved[-1].to_step, moved[-1].action) == (
        "kasie",
        "kabid",
        "deadline",
    )
    assert "terlewati" in moved[-1].reason
    assert len(notes) == 1 and "Untuk perhatian: Kadis" in notes[0]
    assert [e.action for e in await events(rt, ticket_id, "deadline.")] == [
        "deadline.step_passed",
        "deadline.overall_passed",
        "deadline.notified",
    ]
    # Nothing is done twice.
    assert (await check_deadlines(rt, now=due + timedelta(minutes=2)))["passed"] == 0


async def test_a_ticket_waiting_on_the_citizen_is_not_chased(rt, receive, staff):
    ticket_id = (await receive(inbound("Halo"))).ticket_id
    await act(
        rt, ticket_id, staff["admin_brebes"], "kembalikan", missing=["Uraian keluhan yang jelas"]
    )
    ticket = await load(rt, ticket_id)
    assert (await check_deadlines(rt, now=ticket.due_at + timedelta(days=30)))["tickets"] == 0
    assert clock.deadline_json(ticket, ticket.due_at + timedelta(days=30))["state"] == "paused"


async def test_the_job_is_registered_and_run_by_the_sweep(rt, receive, jobs):
    assert "check_deadlines" in JOBS
    ticket_id = (await receive(inbound("KTP rusak", account=TOMOHON_WA))).ticket_id
    await sweep(rt)
    await jobs.drain()
    assert await events(rt, ticket_id, "deadline.") == []  # nothing due yet, and no error
