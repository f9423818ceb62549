"""The office's answer to a ticket: its latest reply to the citizen that did not fail (an
automatic reply to a STATUS command, a counter receipt and a status change told to a platform
are no answers).

What the register book prints, the status page shows and a STATUS command answers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from helpdesk.models import Direction, Message, MessageStatus


def answers(*where: Any) -> Any:
    """Per ticket, the office's latest reply that did not fail (a subquery: ticket_id, body,
    created_at, rank = 1 for the latest). `where` narrows the messages read (by ticket)."""
    return (
        select(
            Message.ticket_id.label("ticket_id"),
            Message.body.label("body"),
            Message.created_at.label("created_at"),
            func.row_number()
            .over(
                partition_by=Message.ticket_id,
                order_by=(Message.created_at.desc(), Message.id.desc()),
            )
            .label("rank"),
        )
        .where(
            Message.direction == Direction.outbound,
            Message.status != MessageStatus.failed,
            # not an answer: a STATUS command's automatic reply, a counter receipt
            Message.details["status_command"].as_string().is_(None),
            Message.details["receipt"].as_string().is_(None),
            Message.details["ticket_status"].as_string().is_(None),  # a status told a platform
            *where,
        )
        .subquery()
    )


def aware(value: Any) -> datetime | None:
    """A datetime read through a subquery column comes back as stored (naive text on SQLite)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value
