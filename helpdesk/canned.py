"""Canned answers: an office's prepared replies, with variables filled in for one ticket.

Variables: {register_no}, {name} (the citizen), {office} (the office's name), {category}.
They are replaced by plain text substitution, never `str.format`, whose `{name.attr}` and
`{name[0]}` would let an admin's text reach into Python objects.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.auth import Principal
from helpdesk.models import CannedAnswer, Office, Role, Ticket
from helpdesk.outbox import MAX_BODY
from helpdesk.workflow import engine

MAX_TITLE = 120
MAX_PER_OFFICE = 300
MANAGERS = (Role.admin, Role.superuser)  # who keeps an office's list
VARIABLES = ("register_no", "name", "office", "category")
_VARIABLE = re.compile(r"\{(" + "|".join(VARIABLES) + r")\}")


class CannedRefused(ValueError):
    """empty_title, title_too_long, empty_body, body_too_long, duplicate, too_many, forbidden"""


def may_manage(principal: Principal, office_id: int) -> bool:
    return principal.role_in(office_id) in MANAGERS


async def for_office(session: AsyncSession, office_id: int) -> list[CannedAnswer]:
    return list(
        await session.scalars(
            select(CannedAnswer)
            .where(CannedAnswer.office_id == office_id)
            .order_by(CannedAnswer.title)
        )
    )


def fill(body: str, ticket: Ticket, office: Office, citizen_name: str) -> str:
    values = {
        "register_no": ticket.register_no,
        "name": citizen_name or "Bapak/Ibu",
        "office": office.name,
        "category": engine.CATEGORY_LABELS.get(ticket.category, ticket.category),
    }
    return _VARIABLE.sub(lambda m: values[m.group(1)], body)


async def create(
    session: AsyncSession, office: Office, principal: Principal, title: str, body: str
) -> CannedAnswer:
    if not may_manage(principal, office.id):
        raise CannedRefused("forbidden")
    title = " ".join(title.replace("\x00", "").split())
    body = body.replace("\x00", "").replace("\r\n", "\n").strip()
    if not title:
        raise CannedRefused("empty_title")
    if len(title) > MAX_TITLE:
        raise CannedRefused("title_too_long")
    if not body:
        raise CannedRefused("empty_body")
    if len(body) > MAX_BODY:
        raise CannedRefused("body_too_long")
    if len(await for_office(session, office.id)) >= MAX_PER_OFFICE:
        raise CannedRefused("too_many")
    taken = await session.scalar(
        select(CannedAnswer.id).where(
            CannedAnswer.office_id == office.id, CannedAnswer.title == title
        )
    )
    if taken is not None:  # the unique constraint stays the last word on a race
        raise CannedRefused("duplicate")
    answer = CannedAnswer(
        office_id=office.id, title=title, body=body, created_by_id=principal.user_id
    )
    session.add(answer)
    await session.flush()
    return answer


async def delete(session: AsyncSession, principal: Principal, answer_id: int) -> bool:
    answer = await session.get(CannedAnswer, answer_id)
    if answer is None or not may_manage(principal, answer.office_id):
        return False
    await session.delete(answer)
    await session.flush()
    return True
