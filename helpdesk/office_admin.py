"""What the superuser's office and channel screens read and change.

Office edits are the same fields the offices file sets (name, time zone, SOP profile), checked
the same way; a later `helpdesk offices load` of the file writes the file's values again, so the
file stays the source of truth where an install keeps one. Channel health is the data ingest and
the outbox already keep on each account (the same as `GET /healthz`).
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.auth import Principal
from helpdesk.models import (
    AccountHealth,
    AuditEvent,
    ChannelAccount,
    Office,
)
from helpdesk.staff import StaffError
from helpdesk.workflow.profile import ProfileError, load_profile, shipped_names

NAME_MAX = 200


@dataclass(frozen=True)
class AccountHealthRow:
    account: ChannelAccount
    office: Office
    status: str  # ok, needs_attention, inactive


def _require_superuser(principal: Principal) -> None:
    if not principal.is_superuser:
        raise PermissionError("superusers only")


async def list_offices(session: AsyncSession) -> list[Office]:
    return list(await session.scalars(select(Office).order_by(Office.code)))


def sop_choices(office: Office | None = None) -> list[str]:
    names = shipped_names()
    if office is not None and office.sop not in names:
        names = [office.sop, *names]  # a profile file given by path stays selectable
    return names


async def update_office(
    session: AsyncSession,
    principal: Principal,
    office_id: int,
    *,
    name: str,
    timezone: str,
    sop: str,
) -> Office:
    _require_superuser(principal)
    office = await session.get(Office, office_id)
    if office is None:
        raise StaffError("not_found")
    name = " ".join(name.split())
    if not name or len(name) > NAME_MAX:
        raise StaffError("office_name")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise StaffError("timezone") from exc
    if "/" not in timezone:
        raise StaffError("timezone")  # "UTC" and the like are not an office's zone
    if sop not in sop_choices(office):
        raise StaffError("sop")
    try:
        load_profile(sop)
    except ProfileError as exc:
        raise StaffError("sop", str(exc)) from exc
    before = {"name": office.name, "timezone": office.timezone, "sop": office.sop}
    office.name, office.timezone, office.sop = name, timezone, sop
    after = {"name": name, "timezone": timezone, "sop": sop}
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changed:
        session.add(
            AuditEvent(
                office_id=office.id,
                user_id=principal.user_id,
                action="office.updated",
                detail={"by": principal.username, "changed": changed},
            )
        )
    await session.flush()
    return office


async def channel_health(session: AsyncSession) -> list[AccountHealthRow]:
    """Every channel account with its health, for the superuser's screen."""
    rows = await session.execute(
        select(ChannelAccount, Office)
        .join(Office, Office.id == ChannelAccount.office_id)
        .order_by(Office.code, ChannelAccount.kind, ChannelAccount.id)
    )
    return [
        AccountHealthRow(
            account=account,
            office=office,
            status=(account.health or AccountHealth.ok) if account.active else "inactive",
        )
        for account, office in rows
    ]
