"""Every figure of a recap or report, asked of the database with SQL aggregates.

No ticket is loaded into Python: each breakdown is one GROUP BY, the times are percentiles
computed in SQL, SOP compliance compares each step's exit with its due time (kept on the step
transition, pauses for the citizen included) in one aggregate. A ticket belongs to the period in
which it was created, on its office's clock; escalations and decisions to the period in which
they were taken. Across offices (a superuser's report) each office keeps its own clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import case

from helpdesk.models import (
    AuditEvent,
    Decision,
    Office,
    StepTransition,
    Ticket,
    TicketStatus,
    User,
    utcnow,
)
from helpdesk.reports import sql
from helpdesk.reports.periods import Period, utc_offset_minutes
from helpdesk.workflow.engine import CATEGORY_LABELS, OUT_OF_AUTHORITY_KIND
from helpdesk.workflow.profile import Profile, ProfileError, load_profile

STATUS_LABELS = {
    "new": "Baru",
    "open": "Diproses",
    "waiting": "Menunggu pemohon",
    "resolved": "Selesai",
    "closed": "Ditutup",
    # closed as another agency's (the engine's "bukan kewenangan"): counted apart from "closed"
    "out_of_authority": "Ditutup: bukan kewenangan Dukcapil",
}
OUTCOME_LABELS = {
    "answer": "Dijawab",
    "follow_up": "Ditindaklanjuti unit",
    "forward": "Diteruskan ke atasan",
    "reject": "Ditolak",
}
CHANNEL_LABELS = {
    "whatsapp": "WhatsApp",
    "email": "Email",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "telegram": "Telegram",
    "sp4n_lapor": "SP4N-LAPOR",
    "web": "Formulir web",
    "counter": "Tatap muka",
}
ROLE_LABELS = {"kasie": "Kasie", "kabid": "Kabid", "kadis": "Kadis", "superuser": "Superuser"}
DONE = (TicketStatus.resolved.value, TicketStatus.closed.value)
ACTIVE = (TicketStatus.new.value, TicketStatus.open.value)
MISSED_LISTED = 50  # register numbers listed per step that missed its time standard
AUTOMATIC = "Otomatis (batas waktu terlewati)"


def _dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"


def window(
    offices: Sequence[Office], period: Period, office_col: Any, at_col: Any
) -> ColumnElement[bool]:
    """Rows of these offices whose `at_col` falls in the period on their office's clock."""
    parts = []
    for office in offices:
        start, end = period.office_bounds(office)
        parts.append(and_(office_col == office.id, at_col >= start, at_col < end))
    return or_(*parts) if parts else false()


def _profile(office: Office) -> Profile | None:
    try:
        return load_profile(office.sop)
    except ProfileError:
        return None


def _minutes(value: Any) -> float | None:
    return None if value is None else round(float(value) / 60.0, 1)


def _share(part: int, whole: int) -> float | None:
    return None if not whole else round(100.0 * part / whole, 1)


@dataclass(frozen=True)
class _Scope:
    session: AsyncSession
    dialect: str
    offices: Sequence[Office]
    period: Period
    now: datetime

    @property
    def tickets(self) -> ColumnElement[bool]:
        return window(self.offices, self.period, Ticket.office_id, Ticket.created_at)

    async def rows(self, query: Any) -> list[Any]:
        return list((await self.session.execute(query)).all())


async def build_report(
    session: AsyncSession,
    offices: Sequence[Office],
    period: Period,
    now: datetime | None = None,
    *,
    with_previous: bool = True,
) -> dict[str, Any]:
    """The report as plain data (what the JSON API returns and every format renders)."""
    scope = _Scope(session, _dialect(session), list(offices), period, now or utcnow())
    by_office = {o.id: o for o in offices}
    report: dict[str, Any] = {
        "kind": period.kind,
        "period": {
            "key": period.key,
            "label": period.label,
            "first_day": period.first.isoformat(),
            "last_day": period.last.isoformat(),
        },
        "offices": [
            {"code": o.code, "name": o.name, "timezone": o.timezone}
            for o in sorted(offices, key=lambda o: o.code)
        ],
        "generated_at": scope.now.isoformat(),
    }
    report |= await _summary(scope, per_step=False)
    report |= await _breakdowns(scope, by_office)
    report["sop_compliance"] = await _compliance(scope, by_office, report.pop("_still"))
    met = sum(s["met"] for s in report["sop_compliance"])
    missed = sum(s["missed"] for s in report["sop_compliance"])
    report["sop_overall"] = _overall(met, missed)
    report["escalations"] = await _escalations(scope)
    report["decisions"] = await _decisions(scope)
    if period.kind == "monthly":
        report["by_day"] = await _by_day(scope)
    report["platform_deadlines"] = await _platform_deadlines(scope)
    if with_previous:
        before = _Scope(session, scope.dialect, scope.offices, period.previous(), scope.now)
        previous = await _summary(before)
        previous["period"] = {"key": before.period.key, "label": before.period.label}
        report["previous"] = previous
        report["trend"] = _trend(report, previous)
    return report


def _overall(met: int, missed: int) -> dict[str, Any]:
    return {"met": met, "missed": missed, "share_met": _share(met, met + missed)}


async def _summary(scope: _Scope, *, per_step: bool = True) -> dict[str, Any]:
    """The headline figures: also what the previous period is compared on. `per_step=False`
    leaves SOP compliance to the caller, who sums it from the per-step table."""
    overdue_now = and_(Ticket.status.in_(ACTIVE), Ticket.due_at < scope.now)
    totals = [
        func.count(),
        func.coalesce(func.sum(case((Ticket.status.in_(DONE), 1), else_=0)), 0),
        func.count(Ticket.first_response_at),
        func.coalesce(func.sum(case((overdue_now, 1), else_=0)), 0),
    ]
    spans = (Ticket.first_response_at, Ticket.resolved_at)
    if scope.dialect == "postgresql":  # the totals and every percentile in one pass
        row = (
            await scope.rows(select(*totals, *_pg_percentiles(scope, spans)).where(scope.tickets))
        )[0]
        total, done, answered, overdue = (int(v or 0) for v in row[:4])
        first, resolution = _times_of(row[4:])
    else:
        row = (await scope.rows(select(*totals).where(scope.tickets)))[0]
        total, done, answered, overdue = (int(v or 0) for v in row)
        first, resolution = await _times(scope, spans)
    met, missed = await _compliance_totals(scope) if per_step else (0, 0)
    return {
        "totals": {
            "tickets": total,
            "resolved": done,
            "unresolved": total - done,
            "answered": answered,
            "overdue_now": overdue,
        },
        "first_response": first,
        "resolution": resolution,
        "sop_overall": _overall(met, missed),
    }


def _pg_percentiles(scope: _Scope, columns: tuple[Any, ...]) -> list[Any]:
    parts = []
    for column in columns:
        span = sql.seconds_between(scope.dialect, column, Ticket.created_at)
        parts += [
            func.count(span),
            func.percentile_cont(0.5).within_group(span),
            func.percentile_cont(0.9).within_group(span),
        ]
    return parts


def _times_of(values: Any) -> list[dict[str, Any]]:
    """(count, median, p90) triples of seconds -> the report's minutes."""
    values = list(values)
    return [
        {
            "count": int(values[i] or 0),
            "median_minutes": _minutes(values[i + 1]),
            "p90_minutes": _minutes(values[i + 2]),
        }
        for i in range(0, len(values), 3)
    ]


async def _times(scope: _Scope, columns: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Count, median and p90 of the minutes from creation to each column's time (SQLite:
    ranked with window functions, one query per column)."""
    found: list[Any] = []
    for column in columns:
        span = sql.seconds_between(scope.dialect, column, Ticket.created_at)
        found += (
            await scope.rows(sql.percentiles(scope.dialect, span, [scope.tickets], (0.5, 0.9)))
        )[0]
    return _times_of(found)


def _office_label(scope: _Scope, office: Office) -> str:
    return f"{office.code}: " if len(scope.offices) > 1 else ""


def _ranked(counts: dict[Any, int], labels: Any) -> list[dict[str, Any]]:
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
    return [{**labels(key), "count": n} for key, n in ordered]


async def _breakdowns(scope: _Scope, by_office: dict[int, Office]) -> dict[str, Any]:
    """By channel, category, status, unit and step: one GROUP BY over every combination (a few
    thousand groups at most), summed up per dimension here, so the month is read once."""
    unit = func.coalesce(Ticket.unit, "")
    # The first branch keeps the JSON read to closed tickets (CASE tries its branches in order).
    status = case(
        (Ticket.status != TicketStatus.closed.value, Ticket.status),
        (out_of_authority(), literal(OUT_OF_AUTHORITY_KIND)),
        else_=Ticket.status,
    )
    columns = (Ticket.office_id, Ticket.channel, Ticket.category, status, unit, Ticket.step)
    overdue = _overdue_now(scope)
    timed = and_(Ticket.status.in_((*ACTIVE, "waiting")), Ticket.step_due_at.is_not(None))
    rows = await scope.rows(
        select(
            *columns,
            func.count(),
            # still in the step past its time, and still in it within its time (compliance)
            func.coalesce(func.sum(case((and_(timed, overdue), 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(timed, ~overdue), 1), else_=0)), 0),
        )
        .where(scope.tickets)
        .group_by(*columns)
    )
    sums: list[dict[Any, int]] = [{} for _ in range(5)]
    still: dict[tuple[int, str], list[int]] = {}
    for office_id, channel, category, status, unit_name, step_id, n, late, within in rows:
        keys = (channel, category, status, unit_name, (office_id, step_id))
        for table, key in zip(sums, keys, strict=True):
            table[key] = table.get(key, 0) + int(n)
        if late or within:
            pair = still.setdefault((office_id, step_id), [0, 0])
            pair[0] += int(late)
            pair[1] += int(within)

    def plain(labels: dict[str, str]) -> Any:
        return lambda key: {"key": key, "label": labels.get(key, key)}

    def step_label(key: tuple[int, str]) -> dict[str, Any]:
        office = by_office[key[0]]
        profile = _profile(office)
        step = profile.step(key[1]) if profile else None
        label = _office_label(scope, office) + (step.label if step else key[1] or "—")
        return {"office": office.code, "key": key[1], "label": label}

    return {
        "by_channel": _ranked(sums[0], plain(CHANNEL_LABELS)),
        "by_category": _ranked(sums[1], plain(CATEGORY_LABELS)),
        "by_status": _ranked(sums[2], plain(STATUS_LABELS)),
        "by_unit": _ranked(sums[3], plain({"": "—"})),
        "by_step": _ranked(sums[4], step_label),
        "_still": still,
    }


def out_of_authority() -> ColumnElement[bool]:
    """The ticket was closed as another agency's: the engine keeps the reason in its
    workflow_state (a closed ticket is never reopened, so the mark stays true)."""
    return Ticket.workflow_state[OUT_OF_AUTHORITY_KIND].as_string().is_not(None)


def _missed_exit() -> ColumnElement[bool]:
    return StepTransition.created_at > StepTransition.from_step_due_at


def _overdue_now(scope: _Scope) -> ColumnElement[bool]:
    return and_(
        Ticket.status.in_(ACTIVE), Ticket.paused_at.is_(None), Ticket.step_due_at < scope.now
    )


def _judged_exits(scope: _Scope) -> list[ColumnElement[bool]]:
    return [
        scope.tickets,
        StepTransition.from_step != "",
        StepTransition.from_step_due_at.is_not(None),
    ]


async def _compliance_totals(scope: _Scope) -> tuple[int, int]:
    exits = (
        await scope.rows(
            select(
                func.count(),
                func.coalesce(func.sum(case((_missed_exit(), 1), else_=0)), 0),
            )
            .select_from(StepTransition)
            .join(Ticket, Ticket.id == StepTransition.ticket_id)
            .where(*_judged_exits(scope))
        )
    )[0]
    overdue = await scope.session.scalar(
        select(func.count()).where(scope.tickets, _overdue_now(scope))
    )
    judged, missed = int(exits[0] or 0), int(exits[1] or 0) + int(overdue or 0)
    return judged - int(exits[1] or 0), missed


async def _compliance(
    scope: _Scope, by_office: dict[int, Office], still: dict[tuple[int, str], list[int]]
) -> list[dict[str, Any]]:
    """Per step: the visits that left it in time, those that left late, those still in it past
    its time (late too), those still in it within time (`still`, counted by `_breakdowns`);
    and which tickets were late."""
    late = case((_missed_exit(), 1), else_=0)
    exits = await scope.rows(
        select(
            Ticket.office_id,
            StepTransition.from_step,
            func.count(),
            func.coalesce(func.sum(late), 0),
        )
        .select_from(StepTransition)
        .join(Ticket, Ticket.id == StepTransition.ticket_id)
        .where(*_judged_exits(scope))
        .group_by(Ticket.office_id, StepTransition.from_step)
    )
    steps: dict[tuple[int, str], dict[str, Any]] = {}

    def entry(office_id: int, step_id: str) -> dict[str, Any]:
        key = (office_id, step_id)
        if key not in steps:
            steps[key] = {"met": 0, "missed": 0, "pending": 0, "missed_tickets": []}
        return steps[key]

    for office_id, step_id, n, missed in exits:
        item = entry(office_id, step_id)
        item["met"] += int(n) - int(missed)
        item["missed"] += int(missed)
    for (office_id, step_id), (overdue, within) in still.items():
        item = entry(office_id, step_id)
        item["missed"] += int(overdue)
        item["pending"] += int(within)

    for (office_id, step_id), item in steps.items():
        if item["missed"]:
            item["missed_tickets"] = await _missed_tickets(scope, office_id, step_id)

    found = []
    for (office_id, step_id), item in steps.items():
        office = by_office[office_id]
        profile = _profile(office)
        step = profile.step(step_id) if profile else None
        judged = item["met"] + item["missed"]
        order = list(profile.steps).index(step_id) if profile and step else 999
        found.append(
            {
                "office": office.code,
                "step": step_id,
                "label": _office_label(scope, office) + (step.label if step else step_id),
                "standard": step.time.label() if step and step.time else "",
                **item,
                "share_met": _share(item["met"], judged),
                "_order": (office.code, order),
            }
        )
    found.sort(key=lambda s: s.pop("_order"))
    return found


async def _missed_tickets(scope: _Scope, office_id: int, step_id: str) -> list[str]:
    """The first MISSED_LISTED register numbers (in order of arrival) that missed this step's
    time: left it late, or are still in it past its time. Ordered by the ticket's key, which
    lets the database walk it and stop at the limit."""
    order = (Ticket.id,)
    late_exits = (
        select(Ticket.register_no, *order)
        .select_from(StepTransition)
        .join(Ticket, Ticket.id == StepTransition.ticket_id)
        .where(
            *_judged_exits(scope),
            Ticket.office_id == office_id,
            StepTransition.from_step == step_id,
            _missed_exit(),
        )
        .distinct()
        .order_by(*order)
        .limit(MISSED_LISTED)
    )
    late_now = (
        select(Ticket.register_no, *order)
        .where(scope.tickets, Ticket.office_id == office_id, Ticket.step == step_id)
        .where(_overdue_now(scope))
        .order_by(*order)
        .limit(MISSED_LISTED)
    )
    found = {row[0]: row[1:] for row in await scope.rows(late_exits)}
    found |= {row[0]: row[1:] for row in await scope.rows(late_now)}
    return [k for k, _ in sorted(found.items(), key=lambda kv: kv[1])][:MISSED_LISTED]


def _external_clocks() -> list[tuple[str, str]]:
    """(name, label) of every deadline a channel holds offices to (LAPOR's follow-ups),
    as the channels declare them (`ChannelAdapter.external_clocks`)."""
    from channels.registry import ADAPTERS

    seen: dict[str, str] = {}
    for adapter in ADAPTERS.values():
        for clock in getattr(adapter, "external_clocks", ()):
            seen.setdefault(clock.name, clock.label)
    return list(seen.items())


async def _platform_deadlines(scope: _Scope) -> list[dict[str, Any]]:
    """Per platform clock (LAPOR: first follow-up in 5 working days, then 10), over the
    period's tickets that started it: met in time, met late or passed unmet, still running.
    The clocks live in the ticket's workflow_state (helpdesk.external_deadlines); met means a
    follow-up the platform accepted by the due time, or the ticket resolved by then. One pass
    over the period's platform tickets for every clock."""
    clocks = _external_clocks()
    if not clocks:
        return []
    now = scope.now.timestamp()
    done = Ticket.status.in_(DONE)
    resolved = sql.epoch(scope.dialect, Ticket.resolved_at)
    columns = []
    for name, _ in clocks:
        entry = Ticket.workflow_state[("external", name)]
        started = entry["due_at"].as_string().is_not(None)
        due = sql.epoch(scope.dialect, entry["due_at"].as_string(), text=True)
        met = sql.epoch(scope.dialect, entry["met_at"].as_string(), text=True)
        has_met = entry["met_at"].as_string().is_not(None)
        in_time = or_(
            and_(has_met, met <= due),
            and_(~has_met, done, Ticket.resolved_at.is_not(None), resolved <= due),
        )
        running = and_(~has_met, ~done, literal(now) < due)
        columns += [
            func.coalesce(func.sum(case((started, 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(started, in_time), 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(started, running), 1), else_=0)), 0),
        ]
    row = (
        await scope.rows(select(*columns).where(scope.tickets, Ticket.external_ref.is_not(None)))
    )[0]
    found = []
    for index, (name, label) in enumerate(clocks):
        started, met_count, running_count = (int(v or 0) for v in row[3 * index : 3 * index + 3])
        if not started:
            continue
        missed = started - met_count - running_count
        found.append(
            {
                "clock": name,
                "label": label,
                "met": met_count,
                "missed": missed,
                "pending": running_count,
                "share_met": _share(met_count, met_count + missed),
            }
        )
    return found


async def _escalations(scope: _Scope) -> list[dict[str, Any]]:
    """Who escalated how many tickets (the deadline job escalates as no one)."""
    count = func.count().label("n")
    rows = await scope.rows(
        select(User.full_name, User.username, count)
        .select_from(AuditEvent)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(
            AuditEvent.action == "step.escalated",
            window(scope.offices, scope.period, AuditEvent.office_id, AuditEvent.created_at),
        )
        .group_by(AuditEvent.user_id, User.full_name, User.username)
        .order_by(count.desc(), User.username)
    )
    return [
        {"official": (full or user) if user else AUTOMATIC, "count": int(n)}
        for full, user, n in rows
    ]


async def _decisions(scope: _Scope) -> list[dict[str, Any]]:
    """Decisions by official: role, outcome, how many."""
    count = func.count().label("n")
    rows = await scope.rows(
        select(User.full_name, User.username, Decision.role, Decision.outcome, count)
        .select_from(Decision)
        .join(Ticket, Ticket.id == Decision.ticket_id)
        .outerjoin(User, User.id == Decision.user_id)
        .where(window(scope.offices, scope.period, Ticket.office_id, Decision.created_at))
        .group_by(Decision.user_id, User.full_name, User.username, Decision.role, Decision.outcome)
        .order_by(User.username, Decision.role, Decision.outcome)
    )
    return [
        {
            "official": (full or user) if user else "—",
            "role": ROLE_LABELS.get(role, role),
            "outcome": outcome,
            "outcome_label": OUTCOME_LABELS.get(outcome, outcome),
            "count": int(n),
        }
        for full, user, role, outcome, n in rows
    ]


async def _by_day(scope: _Scope) -> list[dict[str, Any]]:
    zones = {
        o.id: (
            o.timezone,
            utc_offset_minutes(o.timezone, scope.period.office_bounds(o)[0]),
        )
        for o in scope.offices
    }
    day = sql.local_day(scope.dialect, Ticket.created_at, Ticket.office_id, zones).label("day")
    rows = await scope.rows(
        select(
            day,
            func.count(),
            func.coalesce(func.sum(case((Ticket.status.in_(DONE), 1), else_=0)), 0),
        )
        .where(scope.tickets)
        .group_by(day)
    )
    counts = {str(d): (int(n), int(r)) for d, n, r in rows}
    return [
        {
            "day": d.isoformat(),
            "count": counts.get(d.isoformat(), (0, 0))[0],
            "resolved": counts.get(d.isoformat(), (0, 0))[1],
        }
        for d in scope.period.local_days()
    ]


def _change(now: float | None, before: float | None) -> dict[str, Any]:
    delta = None if now is None or before is None else round(now - before, 1)
    pct = None if delta is None or not before else round(100.0 * delta / before, 1)
    return {"now": now, "before": before, "change": delta, "change_pct": pct}


def _trend(report: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    return {
        "tickets": _change(report["totals"]["tickets"], previous["totals"]["tickets"]),
        "resolved": _change(report["totals"]["resolved"], previous["totals"]["resolved"]),
        "first_response_median_minutes": _change(
            report["first_response"]["median_minutes"],
            previous["first_response"]["median_minutes"],
        ),
        "resolution_median_minutes": _change(
            report["resolution"]["median_minutes"], previous["resolution"]["median_minutes"]
        ),
        "sop_share_met": _change(
            report["sop_overall"]["share_met"], previous["sop_overall"]["share_met"]
        ),
    }
