"""Due times on a ticket: per step and overall, warnings, and the clock paused for the citizen.

The ticket keeps `step_due_at` and `due_at`; its `workflow_state` keeps when to warn
(`step_warn_at`, `warn_at`), the working minutes spent waiting on the citizen and the deadline
job's marks. `sla_check_at` is the next instant the deadline job must look at the ticket, so the
job reads only the tickets whose time has come.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from helpdesk import external_deadlines
from helpdesk.models import Office, Ticket, TicketStatus
from helpdesk.workflow.calendar import WorkingCalendar
from helpdesk.workflow.profile import Duration, Profile, Step

WARN_SHARE = 0.25  # without `warn_before`, warn when a quarter of the time is left


def calendar_for(office: Office, profile: Profile) -> WorkingCalendar:
    """The office's calendar: its time zone; hours and local holidays from the office's
    settings, else from the profile, else the government default."""
    settings = office.settings or {}
    hours = settings.get("working_hours") or profile.working_hours
    extra = (*profile.holidays, *settings.get("holidays", ()))
    return WorkingCalendar.build(office.timezone or "Asia/Jakarta", hours, extra)


def add(cal: WorkingCalendar, start: datetime, duration: Duration) -> datetime:
    if duration.unit == "days":
        return cal.add_days(start, duration.amount)
    return cal.add_minutes(start, duration.amount)


def _warn_at(
    cal: WorkingCalendar, start: datetime, due: datetime, warn_before: Duration | None
) -> datetime:
    total = cal.working_minutes(start, due)
    before = total * WARN_SHARE if warn_before is None else warn_before.amount
    return cal.add_minutes(start, max(0.0, total - before))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def state_of(ticket: Ticket) -> dict[str, Any]:
    return dict(ticket.workflow_state or {})


def start_overall(ticket: Ticket, profile: Profile, cal: WorkingCalendar, now: datetime) -> None:
    ticket.due_at = add(cal, now, profile.deadline)
    state = state_of(ticket)
    state["warn_at"] = _iso(_warn_at(cal, now, ticket.due_at, profile.warn_before))
    ticket.workflow_state = state


def start_step(
    ticket: Ticket, step: Step, profile: Profile, cal: WorkingCalendar, now: datetime
) -> None:
    state = state_of(ticket)
    if step.time is None:
        ticket.step_due_at, state["step_warn_at"] = None, None
    else:
        due = ticket.due_at if step.time.unit == "deadline" else add(cal, now, step.time)
        ticket.step_due_at = due
        if step.time.unit == "deadline":
            state["step_warn_at"] = state.get("warn_at")
        else:
            state["step_warn_at"] = _iso(_warn_at(cal, now, due, step.warn_before)) if due else None
    ticket.workflow_state = state
    schedule(ticket)


def pause(ticket: Ticket, now: datetime) -> None:
    if ticket.paused_at is None:
        ticket.paused_at = now
    ticket.sla_check_at = None


def resume(ticket: Ticket, cal: WorkingCalendar, now: datetime) -> float:
    """End a pause: every due time moves on by the working minutes spent waiting."""
    if ticket.paused_at is None:
        return 0.0
    minutes = cal.working_minutes(ticket.paused_at, now)
    state = state_of(ticket)
    if ticket.step_due_at is not None:
        ticket.step_due_at = cal.add_minutes(ticket.step_due_at, minutes)
    if ticket.due_at is not None:
        ticket.due_at = cal.add_minutes(ticket.due_at, minutes)
    for key in ("step_warn_at", "warn_at"):
        if (at := _parse(state.get(key))) is not None:
            state[key] = _iso(cal.add_minutes(at, minutes))
    state["paused_minutes"] = round(state.get("paused_minutes", 0) + minutes, 2)
    ticket.workflow_state = state
    ticket.paused_at = None
    schedule(ticket)
    return minutes


def mark_key(due: datetime | None) -> str | None:
    return _iso(due)


def pending_checks(ticket: Ticket) -> list[tuple[str, datetime, datetime]]:
    """(mark, when, due) for the warnings and deadlines not yet dealt with."""
    state = state_of(ticket)
    marks = state.get("marks", {})
    found = []
    for due, warn_key, prefix in (
        (ticket.step_due_at, "step_warn_at", "step_"),
        (ticket.due_at, "warn_at", ""),
    ):
        if due is None:
            continue
        key = mark_key(due)
        warn_at = _parse(state.get(warn_key))
        if warn_at is not None and warn_at < due and marks.get(prefix + "warned") != key:
            found.append((prefix + "warned", warn_at, due))
        if marks.get(prefix + "passed") != key:
            found.append((prefix + "passed", due, due))
    return found


def schedule(ticket: Ticket) -> None:
    if ticket.status not in (TicketStatus.new, TicketStatus.open) or ticket.paused_at:
        ticket.sla_check_at = None
        return
    times = [when for _, when, _ in pending_checks(ticket)]
    ticket.sla_check_at = min(times) if times else None


def deadline_json(ticket: Ticket, now: datetime) -> dict[str, Any]:
    """The visible flag: ok, warning (a time standard is near), overdue, paused, or done."""
    state = state_of(ticket)
    if ticket.status in (TicketStatus.resolved, TicketStatus.closed):
        flag = "done"
    elif ticket.paused_at is not None or ticket.status == TicketStatus.waiting:
        flag = "paused"
    elif any(due and now >= due for due in (ticket.step_due_at, ticket.due_at)):
        flag = "overdue"
    elif any(
        (at := _parse(state.get(key))) is not None and now >= at
        for key in ("step_warn_at", "warn_at")
    ):
        flag = "warning"
    else:
        flag = "ok"
    flag = external_deadlines.worst_flag(flag, ticket, now)  # a platform's own clocks count too
    return {
        "state": flag,
        "step_due_at": _iso(ticket.step_due_at),
        "due_at": _iso(ticket.due_at),
        "paused_since": _iso(ticket.paused_at),
        "paused_minutes": state.get("paused_minutes", 0),
    }
