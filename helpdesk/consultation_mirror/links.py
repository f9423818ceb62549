"""Linking a staff member's channel account (their Telegram account) to their inbox user.

The signed-in user asks for a one-time code (shown once, kept only as a hash, valid for a few
minutes) and sends it to the office's bot from their own account; the account is then theirs
in every office group they belong to. Each step is audited.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.auth import Principal
from helpdesk.models import AuditEvent, StaffIdentity, StaffLinkCode, User, utcnow

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
CODE_LENGTH = 8
CODE_VALID = timedelta(minutes=10)


class LinkRefused(ValueError):
    """The code is unknown, used or expired (one message for all: no oracle)."""


@dataclass(frozen=True)
class LinkedAccount:
    channel: str
    external_id: str
    label: str
    linked_at: str


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


async def new_code(session: AsyncSession, principal: Principal) -> tuple[str, int]:
    """A fresh code for this user (their earlier unused ones stop working); with its minutes."""
    now = utcnow()
    await session.execute(
        update(StaffLinkCode)
        .where(StaffLinkCode.user_id == principal.user_id, StaffLinkCode.used_at.is_(None))
        .values(used_at=now)
    )
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    session.add(
        StaffLinkCode(user_id=principal.user_id, code_hash=_hash(code), expires_at=now + CODE_VALID)
    )
    session.add(AuditEvent(user_id=principal.user_id, action="staff_link.code_created"))
    await session.flush()
    return code, int(CODE_VALID.total_seconds() // 60)


async def redeem(
    session: AsyncSession, channel: str, external_id: str, label: str, code: str
) -> User:
    """Link the sender's channel account to the code's user; the caller commits."""
    now = utcnow()
    if not code or len(code) > 64:
        raise LinkRefused("no such code")
    row = await session.scalar(
        select(StaffLinkCode).where(StaffLinkCode.code_hash == _hash(code)).with_for_update()
    )
    if row is None or row.used_at is not None or row.expires_at < now:
        raise LinkRefused("no such code")
    user = await session.get(User, row.user_id)
    if user is None or not user.active:
        raise LinkRefused("no such code")
    row.used_at = now
    # The platform account moves to this user; the user's earlier account on it is replaced.
    await session.execute(
        delete(StaffIdentity).where(
            StaffIdentity.channel == channel,
            (StaffIdentity.external_id == external_id) | (StaffIdentity.user_id == user.id),
        )
    )
    await session.flush()
    session.add(
        StaffIdentity(user_id=user.id, channel=channel, external_id=external_id, label=label[:200])
    )
    session.add(
        AuditEvent(
            user_id=user.id,
            action="staff_link.linked",
            detail={"channel": channel, "external_id": external_id, "label": label[:200]},
        )
    )
    await session.flush()
    return user


async def linked_user(session: AsyncSession, channel: str, external_id: str) -> int | None:
    return await session.scalar(
        select(StaffIdentity.user_id).where(
            StaffIdentity.channel == channel, StaffIdentity.external_id == external_id
        )
    )


async def accounts_of(session: AsyncSession, principal: Principal) -> list[LinkedAccount]:
    rows = await session.scalars(
        select(StaffIdentity)
        .where(StaffIdentity.user_id == principal.user_id)
        .order_by(StaffIdentity.channel)
    )
    return [
        LinkedAccount(r.channel, r.external_id, r.label, r.created_at.isoformat()) for r in rows
    ]


async def unlink(session: AsyncSession, principal: Principal, channel: str) -> bool:
    result = await session.execute(
        delete(StaffIdentity).where(
            StaffIdentity.user_id == principal.user_id, StaffIdentity.channel == channel
        )
    )
    if result.rowcount:
        session.add(
            AuditEvent(
                user_id=principal.user_id,
                action="staff_link.unlinked",
                detail={"channel": channel},
            )
        )
    return bool(result.rowcount)
