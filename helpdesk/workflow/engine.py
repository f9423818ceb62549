"""The SOP engine: a ticket's step, the actions its SOP allows a user now, and taking them.

An action is allowed only to the roles its step names, in the ticket's own office (a
superuser may take any). Taking one records the step change (StepTransition + AuditEvent), a
decision (Decision), a consultation (Consultation), or an answer queued to the citizen through
`outbox.queue_reply` on the channel they used. Wrong role: `Forbidden`; an action the current
step does not have: `WrongStep`; missing or bad fields: `Invalid`. Nothing changes on refusal.

Besides the SOP's own actions, every step offers the desk's: set the category, assign, and,
to the admin and the step's own roles (the official deciding), on a ticket whose platform
tracks the complaint and can be told it is another agency's (an adapter's
`reports_out_of_authority`: SP4N-LAPOR), "bukan kewenangan": the ticket ends in the
SOP's closed step with the reason (which agency it belongs to) on the step change, in the
audit trail and in `workflow_state["out_of_authority"]` (what the register book and the
recap read), and the platform is told so with that reason through the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import TicketChange
from helpdesk import status_reports
from helpdesk.auth import Principal
from helpdesk.consultation_mirror import outgoing as mirror
from helpdesk.models import (
    Category,
    ChannelAccount,
    Consultation,
    Decision,
    Direction,
    Membership,
    Message,
    MessageStatus,
    Office,
    Role,
    StepTransition,
    Ticket,
    TicketStatus,
    User,
    utcnow,
)
from helpdesk.outbox import ReplyRefused, queue_reply
from helpdesk.workflow import audit, clock
from helpdesk.workflow.calendar import WorkingCalendar
from helpdesk.workflow.categories import suggest
from helpdesk.workflow.profile import (
    Action,
    FieldSpec,
    Profile,
    ProfileError,
    Step,
    load_profile,
)

log = logging.getLogger(__name__)

MAX_TEXT = 4000
CATEGORY_LABELS: Mapping[str, str] = {
    "ktp_el": "KTP-el",
    "kk": "Kartu Keluarga (KK)",
    "kia": "Kartu Identitas Anak (KIA)",
    "akta_kelahiran": "Akta Kelahiran",
    "akta_kematian": "Akta Kematian",
    "pindah": "Pindah / SKPWNI",
    "other": "Lainnya",
}
# Besides its step's roles, these may set the category and assign the ticket.
DESK_ROLES = (Role.admin.value, Role.cs.value, Role.group_admin.value)
BUILTIN_FIELDS = {
    "set_category": (
        FieldSpec("category", "Kategori", "choice", True, tuple(c.value for c in Category)),
    ),
    "assign": (FieldSpec("assignee", "Petugas (nama pengguna; kosong: lepas)", "text", False),),
}
BUILTIN_LABELS = {"set_category": "Ubah kategori", "assign": "Tugaskan"}
# Closing a ticket as another agency's: the action's name (also the step change's `action`,
# which reports look for), the kind the inbox knows it by, and the key of its reason in the
# ticket's workflow_state.
OUT_OF_AUTHORITY = "bukan_kewenangan"
OUT_OF_AUTHORITY_KIND = "out_of_authority"
OUT_OF_AUTHORITY_FIELDS = (
    FieldSpec("reason", "Instansi yang berwenang dan alasannya", "textarea", True),
)
OUT_OF_AUTHORITY_LABEL = "Bukan kewenangan Dukcapil"


class ActionError(Exception):
    status = 422
    code = "invalid"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Forbidden(ActionError):
    status = 403
    code = "forbidden"


class WrongStep(ActionError):
    status = 409
    code = "wrong_step"


class Invalid(ActionError):
    pass


@dataclass(frozen=True)
class AvailableAction:
    name: str
    label: str
    kind: str
    fields: tuple[FieldSpec, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "kind": self.kind,
            "fields": [f.as_json() for f in self.fields],
        }


@dataclass
class Applied:
    ticket: Ticket
    outbox_items: list[int] = field(default_factory=list)


def profile_for(office: Office) -> Profile:
    return load_profile(office.sop)


# -- reading ---------------------------------------------------------------------------------
def current_step(ticket: Ticket) -> Step | None:
    try:
        return profile_for(ticket.office).step(ticket.step)
    except ProfileError:
        return None


def _may(role: str | None, roles: tuple[str, ...]) -> bool:
    return role is not None and (role == Role.superuser or role in roles)


def actions_for(ticket: Ticket, principal: Principal) -> list[AvailableAction]:
    """What this user may do to this ticket now, by its SOP step, their role and office."""
    role = principal.role_in(ticket.office_id)
    if role is None or ticket.status == TicketStatus.closed:
        return []
    step = current_step(ticket)
    found = []
    if step is not None:
        found = [
            AvailableAction(a.name, a.label, a.kind, a.fields)
            for a in step.actions
            if _may(role, a.roles)
        ]
    if _may(role, (*DESK_ROLES, *(step.roles if step else ()))):
        found += [
            AvailableAction(name, BUILTIN_LABELS[name], name, fields)
            for name, fields in BUILTIN_FIELDS.items()
        ]
    # Judged by the channel of origin here (the page must not wait on the account); taking it
    # checks the account the report really goes to.
    if (
        _may(role, (Role.admin.value, *(step.roles if step else ())))
        and status_reports.reports(ticket.channel, TicketChange.out_of_authority)
        and _closing_step(profile_for(ticket.office)) is not None
    ):
        found.append(
            AvailableAction(
                OUT_OF_AUTHORITY,
                OUT_OF_AUTHORITY_LABEL,
                OUT_OF_AUTHORITY_KIND,
                OUT_OF_AUTHORITY_FIELDS,
            )
        )
    return found


def _closing_step(profile: Profile) -> str | None:
    """The SOP's step that closes a ticket (every shipped profile has "ditutup")."""
    return next((s.id for s in profile.steps.values() if s.status == "closed"), None)


def out_of_authority_reason(ticket: Ticket) -> str | None:
    """Why the ticket was closed as another agency's, if it was."""
    reason = (ticket.workflow_state or {}).get(OUT_OF_AUTHORITY_KIND)
    return reason if isinstance(reason, str) else None


# -- starting and inbound --------------------------------------------------------------------
def start(session: AsyncSession, office: Office, ticket: Ticket, text: str, now: datetime) -> None:
    """A new ticket: its profile's kind, a suggested category (and unit), due times, first step.
    A broken profile must never lose a message: the ticket then simply has no step."""
    try:
        profile = profile_for(office)
        cal = clock.calendar_for(office, profile)
    except (ProfileError, ValueError) as exc:
        log.error("office %s: SOP profile %r unusable: %s", office.code, office.sop, exc)
        return
    ticket.kind = profile.kind
    _suggest_category(ticket, profile, text)
    clock.start_overall(ticket, profile, cal, now)
    enter_step(session, ticket, profile, cal, profile.start_step(ticket.channel).id, now, "start")


def citizen_wrote(
    session: AsyncSession,
    office: Office,
    ticket: Ticket,
    previous_status: str,
    text: str,
    now: datetime,
) -> None:
    """The citizen wrote on an existing ticket: a paused clock runs again (ingest has already
    moved waiting -> open), a reopened ticket goes back to the profile's reopen step."""
    try:
        profile = profile_for(office)
        cal = clock.calendar_for(office, profile)
    except (ProfileError, ValueError) as exc:
        log.error("office %s: SOP profile %r unusable: %s", office.code, office.sop, exc)
        return
    if not ticket.step:
        clock.start_overall(ticket, profile, cal, now)
        enter_step(
            session, ticket, profile, cal, profile.start_step(ticket.channel).id, now, "start"
        )
    elif ticket.paused_at is not None:
        _resume(session, ticket, cal, now, user_id=None)
    elif previous_status == TicketStatus.resolved:
        clock.start_overall(ticket, profile, cal, now)
        enter_step(session, ticket, profile, cal, profile.reopen, now, "reopen")
    if ticket.category == Category.other and "category_set_by" not in (ticket.workflow_state or {}):
        _suggest_category(ticket, profile, text)


def _suggest_category(ticket: Ticket, profile: Profile, text: str) -> None:
    category = suggest(text)
    if category != Category.other:
        ticket.category = category
        ticket.unit = profile.units.get(category, ticket.unit)


def _resume(
    session: AsyncSession, ticket: Ticket, cal: WorkingCalendar, now: datetime, user_id: int | None
) -> None:
    minutes = clock.resume(ticket, cal, now)
    audit.record(
        session,
        ticket,
        "clock.resumed",
        user_id,
        paused_working_minutes=round(minutes, 2),
        by="staff" if user_id else "citizen",
    )


def enter_step(
    session: AsyncSession,
    ticket: Ticket,
    profile: Profile,
    cal: WorkingCalendar,
    step_id: str,
    now: datetime,
    action: str,
    user_id: int | None = None,
    reason: str = "",
    event: str = "step.changed",
    **detail: Any,
) -> None:
    old, old_due = ticket.step, ticket.step_due_at  # the left step's time, for the reports
    step = profile.steps[step_id]
    ticket.step = step_id
    if step.status == "resolved":
        ticket.status, ticket.resolved_at = TicketStatus.resolved, now
    elif step.status == "closed":
        ticket.status, ticket.closed_at = TicketStatus.closed, now
    elif ticket.status in (TicketStatus.resolved, TicketStatus.closed):
        ticket.status, ticket.resolved_at, ticket.closed_at = TicketStatus.open, None, None
    ticket.last_activity_at = now
    clock.start_step(ticket, step, profile, cal, now)
    session.add(
        StepTransition(
            ticket_id=ticket.id,
            from_step=old,
            to_step=step_id,
            action=action,
            user_id=user_id,
            reason=reason[:MAX_TEXT],
            created_at=now,
            from_step_due_at=old_due if old else None,
        )
    )
    audit.record(
        session,
        ticket,
        event,
        user_id,
        **{"from": old, "to": step_id, "action": action},
        reason=reason or None,
        **detail,
    )


# -- taking an action ------------------------------------------------------------------------
async def apply_action(
    session: AsyncSession,
    ticket: Ticket,
    principal: Principal,
    name: str,
    data: Mapping[str, Any],
    now: datetime | None = None,
) -> Applied:
    """Take action `name` with its fields; the caller commits, then enqueues `outbox_items`."""
    now = now or utcnow()
    await session.refresh(ticket, with_for_update=True)  # one action at a time per ticket
    office = await session.get_one(Office, ticket.office_id)
    role = principal.role_in(ticket.office_id)
    if role is None:
        raise Forbidden("you have no role in this ticket's office")
    try:
        profile = profile_for(office)
    except ProfileError as exc:
        raise WrongStep(f"the office's SOP profile cannot be used: {exc}") from exc
    cal = clock.calendar_for(office, profile)
    step = profile.step(ticket.step)
    if name == OUT_OF_AUTHORITY:
        return await _out_of_authority(
            session, ticket, profile, cal, step, principal, role, data, now
        )
    if name in BUILTIN_FIELDS:
        if not _may(role, (*DESK_ROLES, *(step.roles if step else ()))):
            raise Forbidden(f"{name!r} is for {', '.join(DESK_ROLES)} and the step's own roles")
        if ticket.status == TicketStatus.closed:
            raise WrongStep("the ticket is closed")
        values = _values(BUILTIN_FIELDS[name], data)
        if name == "set_category":
            _set_category(session, ticket, profile, principal, values["category"])
        else:
            await _assign(session, ticket, principal, values.get("assignee") or "")
        ticket.last_activity_at = now
        await session.flush()
        return Applied(ticket)

    action = step.action(name) if step else None
    if action is None or ticket.status == TicketStatus.closed:
        if any(s.action(name) for s in profile.steps.values()):
            where = f"{step.label} ({step.id})" if step else "no step"
            raise WrongStep(f"the ticket is at step {where}, where {name!r} is not possible")
        raise Invalid(f"unknown action {name!r}")
    assert step is not None
    if not _may(role, action.roles):
        raise Forbidden(
            f"{action.label!r} at step {step.id!r} is for {', '.join(action.roles)}; "
            f"your role in this office is {role}"
        )
    values = _values(action.fields, data)
    status_before = ticket.status
    if ticket.status in (TicketStatus.new, TicketStatus.waiting) and action.kind != "return":
        ticket.status = TicketStatus.open
    if ticket.paused_at is not None and action.kind != "return":
        _resume(session, ticket, cal, now, principal.user_id)  # the office acts: no more waiting
    applied = Applied(ticket)
    await _KINDS[action.kind](
        _Context(
            session, ticket, office, profile, cal, step, action, principal, role, now, applied
        ),
        values,
    )
    # A platform that tracks the complaint's status itself hears when it is done or reopened.
    reported = await status_reports.queue_status_report(
        session, ticket, status_before, principal.user_id, str(values.get("reason") or "")
    )
    if reported is not None:
        applied.outbox_items.append(reported.id)
    await session.flush()
    return applied


async def _out_of_authority(
    session: AsyncSession,
    ticket: Ticket,
    profile: Profile,
    cal: WorkingCalendar,
    step: Step | None,
    principal: Principal,
    role: str,
    data: Mapping[str, Any],
    now: datetime,
) -> Applied:
    """Close the ticket as another agency's, the reason (which agency) required, and tell the
    platform so. Everything is checked before anything changes."""
    if not _may(role, (Role.admin.value, *(step.roles if step else ()))):
        raise Forbidden(f"{OUT_OF_AUTHORITY!r} is for the admin and the step's own roles")
    if ticket.status == TicketStatus.closed:
        raise WrongStep("the ticket is closed")
    closing = _closing_step(profile)
    if closing is None:
        raise WrongStep("the office's SOP has no step that closes a ticket")
    account = (
        await session.get(ChannelAccount, ticket.channel_account_id)
        if ticket.channel_account_id is not None
        else None
    )
    if account is None or not status_reports.reports(account.kind, TicketChange.out_of_authority):
        raise WrongStep(
            f"{OUT_OF_AUTHORITY!r} is only for tickets whose platform can be told the complaint "
            "is another agency's"
        )
    reason = _values(OUT_OF_AUTHORITY_FIELDS, data)["reason"]
    status_before = ticket.status
    if ticket.paused_at is not None:
        _resume(session, ticket, cal, now, principal.user_id)  # the office acts: no more waiting
    enter_step(
        session,
        ticket,
        profile,
        cal,
        closing,
        now,
        OUT_OF_AUTHORITY,
        principal.user_id,
        reason,
        event="ticket.out_of_authority",
    )
    state = clock.state_of(ticket)
    state[OUT_OF_AUTHORITY_KIND] = reason[:MAX_TEXT]
    ticket.workflow_state = state
    applied = Applied(ticket)
    reported = await status_reports.queue_status_report(
        session, ticket, status_before, principal.user_id, reason, TicketChange.out_of_authority
    )
    if reported is not None:
        applied.outbox_items.append(reported.id)
    await session.flush()
    return applied


@dataclass
class _Context:
    session: AsyncSession
    ticket: Ticket
    office: Office
    profile: Profile
    cal: WorkingCalendar
    step: Step
    action: Action
    principal: Principal
    role: str
    now: datetime
    applied: Applied

    def enter(self, step_id: str, reason: str = "", event: str = "step.changed", **detail: Any):  # type: ignore[no-untyped-def]
        enter_step(
            self.session,
            self.ticket,
            self.profile,
            self.cal,
            step_id,
            self.now,
            self.action.name,
            self.principal.user_id,
            reason,
            event,
            **detail,
        )

    async def send(self, body: str) -> None:
        try:
            _, item = await queue_reply(self.session, self.ticket, self.principal, body)
        except ReplyRefused as exc:
            raise Invalid(f"cannot send to the citizen: {exc}") from exc
        self.applied.outbox_items.append(item.id)

    def note(self, body: str, consultation_id: int | None = None) -> None:
        self.session.add(
            Message(
                ticket_id=self.ticket.id,
                direction=Direction.note,
                content_kind="text",
                body=body,
                status=MessageStatus.received,
                author_id=self.principal.user_id,
                consultation_id=consultation_id,
                created_at=self.now,
            )
        )


def _values(fields: tuple[FieldSpec, ...], data: Mapping[str, Any]) -> dict[str, Any]:
    known = {f.name for f in fields}
    unknown = sorted(set(data) - known - {"action"})
    if unknown:
        raise Invalid(
            f"unknown field(s) {', '.join(unknown)} (this action takes: "
            f"{', '.join(sorted(known)) or 'none'})"
        )
    values: dict[str, Any] = {}
    for spec in fields:
        raw = data.get(spec.name)
        if spec.type == "multichoice":
            if raw is None:
                raw = []
            if isinstance(raw, str):
                raw = [raw]
            if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
                raise Invalid(f"{spec.name}: a list of texts")
            bad = [v for v in raw if v not in spec.choices]
            if bad:
                raise Invalid(f"{spec.name}: {bad[0]!r} is not one of {list(spec.choices)}")
            value: Any = list(dict.fromkeys(raw))
        else:
            if raw is not None and not isinstance(raw, str):
                raise Invalid(f"{spec.name}: must be text")
            value = (raw or "").replace("\x00", "").strip()
            if len(value) > MAX_TEXT + 96:
                raise Invalid(f"{spec.name}: longer than {MAX_TEXT + 96} characters")
            if value and spec.choices and value not in spec.choices:
                raise Invalid(f"{spec.name}: {value!r} is not one of {list(spec.choices)}")
        values[spec.name] = value
    for spec in fields:
        needed = spec.required or any(values.get(k) == v for k, v in spec.required_when)
        if needed and not values[spec.name]:
            when = " here" if spec.required else f" when {dict(spec.required_when)}"
            raise Invalid(f"{spec.name} ({spec.label}) is required{when}")
    return values


def _details(ctx: _Context, values: Mapping[str, Any]) -> str:
    specs = {f.name: f for f in ctx.action.fields}
    return "; ".join(
        f"{specs[k].label}: {v if isinstance(v, str) else ', '.join(v)}"
        for k, v in values.items()
        if v and k != "body"
    )


async def _move(ctx: _Context, values: dict[str, Any]) -> None:
    ticket = ctx.ticket
    if ctx.action.set_kind:
        ticket.kind = ctx.action.set_kind
    if ctx.action.set_category:
        _set_category(ctx.session, ticket, ctx.profile, ctx.principal, ctx.action.set_category)
    if ctx.action.message:
        await ctx.send(_template(ctx.action.message, ctx))
    assert ctx.action.to
    ctx.enter(
        ctx.action.to, _details(ctx, values), fields={k: v for k, v in values.items() if v} or None
    )


async def _reply(ctx: _Context, values: dict[str, Any]) -> None:
    await ctx.send(values["body"])
    assert ctx.action.to
    ctx.enter(ctx.action.to, _details(ctx, values))


async def _escalate(ctx: _Context, values: dict[str, Any]) -> None:
    assert ctx.action.to
    ctx.enter(ctx.action.to, values["reason"], event="step.escalated")


async def _decide(ctx: _Context, values: dict[str, Any]) -> None:
    outcome, reason = values["outcome"], values["reason"]
    unit = values.get("unit") or None
    if outcome == "follow_up":
        unit = unit or ctx.ticket.unit
        if not unit:
            raise Invalid("unit (Unit yang menindaklanjuti) is required for a follow-up")
        ctx.ticket.unit = unit
    decision = Decision(
        ticket_id=ctx.ticket.id,
        user_id=ctx.principal.user_id,
        role=ctx.role,
        outcome=outcome,
        reason=reason,
        unit=unit if outcome == "follow_up" else None,
        created_at=ctx.now,
    )
    ctx.session.add(decision)
    await ctx.session.flush()
    audit.record(
        ctx.session,
        ctx.ticket,
        "decision.recorded",
        ctx.principal.user_id,
        decision_id=decision.id,
        role=ctx.role,
        outcome=outcome,
        reason=reason,
        unit=decision.unit,
    )
    if values.get("body") and outcome in ("answer", "reject"):
        await ctx.send(values["body"])
    ctx.enter(ctx.action.outcomes[outcome], f"{outcome}: {reason}", decision_id=decision.id)


async def _return(ctx: _Context, values: dict[str, Any]) -> None:
    missing = values["missing"]
    lines = "\n".join(f"- {m}" for m in missing)
    text = (
        f"Mohon maaf, berkas Anda (nomor register {ctx.ticket.register_no}) belum lengkap. "
        f"Mohon lengkapi persyaratan berikut:\n{lines}"
    )
    if values.get("note"):
        text += f"\n\n{values['note']}"
    if ctx.ticket.channel_account_id is not None:  # at the counter the citizen is told in person
        await ctx.send(text)
    ctx.ticket.status = TicketStatus.waiting
    clock.pause(ctx.ticket, ctx.now)
    state = clock.state_of(ctx.ticket)
    state["missing"] = missing
    ctx.ticket.workflow_state = state
    ctx.ticket.last_activity_at = ctx.now
    audit.record(
        ctx.session,
        ctx.ticket,
        "clock.paused",
        ctx.principal.user_id,
        step=ctx.step.id,
        missing=missing,
        action=ctx.action.name,
    )
    if ctx.action.to:
        ctx.enter(ctx.action.to, "kelengkapan: " + ", ".join(missing))


async def _consult(ctx: _Context, values: dict[str, Any]) -> None:
    consultation = Consultation(
        ticket_id=ctx.ticket.id,
        opened_by_id=ctx.principal.user_id,
        question=values["question"],
        created_at=ctx.now,
    )
    ctx.session.add(consultation)
    await ctx.session.flush()
    ctx.note(f"Konsultasi: {values['question']}", consultation.id)
    # Mirrored to the office's staff group, where it has one (a Telegram admin group).
    await mirror.consultation_opened(
        ctx.session, ctx.ticket, consultation, ctx.applied.outbox_items
    )
    audit.record(
        ctx.session,
        ctx.ticket,
        "consultation.opened",
        ctx.principal.user_id,
        consultation_id=consultation.id,
    )
    if ctx.action.to:
        ctx.enter(ctx.action.to, values["question"], consultation_id=consultation.id)


async def _advise(ctx: _Context, values: dict[str, Any]) -> None:
    open_ones = list(
        await ctx.session.scalars(
            select(Consultation)
            .where(Consultation.ticket_id == ctx.ticket.id, Consultation.status == "open")
            .order_by(Consultation.id)
        )
    )
    for consultation in open_ones:
        consultation.status, consultation.closed_at = "answered", ctx.now
    ctx.note(values["body"], open_ones[-1].id if open_ones else None)
    if open_ones:
        await mirror.note_written(
            ctx.session, ctx.ticket, open_ones[-1].id, ctx.applied.outbox_items
        )
    audit.record(
        ctx.session,
        ctx.ticket,
        "consultation.answered",
        ctx.principal.user_id,
        consultation_ids=[c.id for c in open_ones] or None,
    )
    assert ctx.action.to
    ctx.enter(ctx.action.to, _details(ctx, values))


_KINDS = {
    "move": _move,
    "reply": _reply,
    "escalate": _escalate,
    "decide": _decide,
    "return": _return,
    "consult": _consult,
    "advise": _advise,
}


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _template(text: str, ctx: _Context) -> str:
    return text.format_map(
        _Blank(
            register_no=ctx.ticket.register_no,
            office=ctx.office.name,
            category=CATEGORY_LABELS.get(ctx.ticket.category, ctx.ticket.category),
        )
    )


def _set_category(
    session: AsyncSession, ticket: Ticket, profile: Profile, principal: Principal, category: str
) -> None:
    old = ticket.category
    ticket.category = category
    ticket.unit = profile.units.get(category, ticket.unit)
    state = clock.state_of(ticket)
    state["category_set_by"] = principal.user_id
    ticket.workflow_state = state
    audit.record(
        session,
        ticket,
        "category.set",
        principal.user_id,
        **{"from": old, "to": category},
        unit=ticket.unit,
    )


async def _assign(
    session: AsyncSession, ticket: Ticket, principal: Principal, username: str
) -> None:
    user_id = None
    if username:
        user_id = await session.scalar(
            select(User.id)
            .join(Membership, Membership.user_id == User.id)
            .where(
                User.username == username.lower(),
                User.active.is_(True),
                Membership.office_id == ticket.office_id,
            )
        )
        if user_id is None:
            raise Invalid(f"assignee: {username!r} is not a user of this office")
    old = ticket.assignee_id
    ticket.assignee_id = user_id
    audit.record(
        session, ticket, "ticket.assigned", principal.user_id, **{"from": old, "to": user_id}
    )
