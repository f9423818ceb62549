"""Labels on tickets, scoped to the ticket's office: an office sees and uses only its own."""

from __future__ import annotations

import re

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.auth import Principal
from helpdesk.dialect import insert_for
from helpdesk.models import Label, Ticket, ticket_labels
from helpdesk.workflow import audit

MAX_NAME = 40
MAX_PER_OFFICE = 200  # a label list is a short vocabulary, not free text
_BAD = re.compile(r"[\x00-\x1f\x7f<>]")


class LabelRefused(ValueError):
    """Why a label cannot be added: empty, too_long, bad_chars, too_many, not_staff."""


def clean_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise LabelRefused("empty")
    if len(name) > MAX_NAME:
        raise LabelRefused("too_long")
    if _BAD.search(name):
        raise LabelRefused("bad_chars")
    return name.lower()


async def office_labels(session: AsyncSession, office_id: int) -> list[Label]:
    return list(
        await session.scalars(
            select(Label).where(Label.office_id == office_id).order_by(Label.name)
        )
    )


async def labels_of(session: AsyncSession, ticket: Ticket) -> list[Label]:
    return list(
        await session.scalars(
            select(Label)
            .join(ticket_labels, ticket_labels.c.label_id == Label.id)
            .where(ticket_labels.c.ticket_id == ticket.id)
            .order_by(Label.name)
        )
    )


def _require_staff(ticket: Ticket, principal: Principal) -> None:
    if principal.role_in(ticket.office_id) is None:
        raise LabelRefused("not_staff")


async def add_label(
    session: AsyncSession, ticket: Ticket, principal: Principal, raw_name: str
) -> Label:
    """Put the office's label `raw_name` on the ticket, creating the label in that office."""
    _require_staff(ticket, principal)
    name = clean_name(raw_name)
    label = await session.scalar(
        select(Label).where(Label.office_id == ticket.office_id, Label.name == name)
    )
    if label is None:
        count = len(await office_labels(session, ticket.office_id))
        if count >= MAX_PER_OFFICE:
            raise LabelRefused("too_many")
        insert = insert_for(session, Label)
        await session.execute(
            insert.values(office_id=ticket.office_id, name=name).on_conflict_do_nothing(
                index_elements=["office_id", "name"]
            )
        )
        label = await session.scalar(
            select(Label).where(Label.office_id == ticket.office_id, Label.name == name)
        )
        assert label is not None
    insert = insert_for(session, ticket_labels)
    added = await session.execute(
        insert.values(ticket_id=ticket.id, label_id=label.id).on_conflict_do_nothing(
            index_elements=["ticket_id", "label_id"]
        )
    )
    if added.rowcount:
        audit.record(session, ticket, "label.added", principal.user_id, label=name)
    return label


async def remove_label(
    session: AsyncSession, ticket: Ticket, principal: Principal, label_id: int
) -> bool:
    _require_staff(ticket, principal)
    label = await session.get(Label, label_id)
    if label is None or label.office_id != ticket.office_id:
        return False
    removed = await session.execute(
        delete(ticket_labels).where(
            ticket_labels.c.ticket_id == ticket.id, ticket_labels.c.label_id == label_id
        )
    )
    if removed.rowcount:
        audit.record(session, ticket, "label.removed", principal.user_id, label=label.name)
    return bool(removed.rowcount)
