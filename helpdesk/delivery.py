"""Delivery statuses from the platforms, applied so that they only ever move forward.

Statuses arrive out of order and may skip a step (sent -> read): a conditional UPDATE moves a
message only from a state strictly before the new one. `failed` only replaces queued or sent.
"""

from __future__ import annotations

import enum

from sqlalchemy import select, update

from channels.base import DeliveryStatus, StatusUpdate
from helpdesk.db import transaction
from helpdesk.models import ChannelAccount, Direction, Message, MessageStatus
from helpdesk.runtime import Runtime

_ORDER = [MessageStatus.queued, MessageStatus.sent, MessageStatus.delivered, MessageStatus.read]


def _may_replace(new: DeliveryStatus) -> list[MessageStatus]:
    if new == DeliveryStatus.failed:
        return [MessageStatus.queued, MessageStatus.sent]
    target = MessageStatus(new.value)
    return _ORDER[: _ORDER.index(target)]


class StatusResult(enum.Enum):
    applied = "applied"
    stale = "stale"  # the message is already at or past this status
    unknown_message = "unknown_message"
    unrouted = "unrouted"


async def apply_status(rt: Runtime, channel: str, status: StatusUpdate) -> StatusResult:
    async with transaction(rt.sessions) as session:
        account_id = await session.scalar(
            select(ChannelAccount.id).where(
                ChannelAccount.kind == channel, ChannelAccount.key == status.account_key
            )
        )
        if account_id is None:
            return StatusResult.unrouted
        values: dict[str, object] = {
            "status": MessageStatus(status.status.value),
            "status_at": status.at,
        }
        if status.status == DeliveryStatus.failed:
            values["error"] = (status.error or "delivery failed")[:1000]
            values["error_code"] = (status.error_code or "")[:40] or None
        result = await session.execute(
            update(Message)
            .where(
                Message.channel_account_id == account_id,
                Message.external_id == status.external_id,
                Message.direction == Direction.outbound,
                Message.status.in_(_may_replace(status.status)),
            )
            .values(**values)
        )
        if result.rowcount:
            return StatusResult.applied
        exists = await session.scalar(
            select(Message.id).where(
                Message.channel_account_id == account_id,
                Message.external_id == status.external_id,
            )
        )
        return StatusResult.stale if exists else StatusResult.unknown_message
