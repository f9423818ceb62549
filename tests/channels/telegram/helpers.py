"""Steps the Telegram tests share: a Brebes ticket, a consultation opened through the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from helpdesk.models import Consultation, Message, Ticket
from tests.conftest import TOMOHON_WA, inbound

NIK = "3329014505900001"  # a well-formed NIK (Brebes, a woman born 5 May 1990)
QUESTION = f"NIK {NIK} tidak ditemukan di SIAK, apakah perlu perekaman ulang?"


async def brebes_ticket(receive) -> int:  # type: ignore[no-untyped-def]
    return (await receive(inbound(f"KTP saya rusak, NIK saya {NIK}"))).ticket_id


async def tomohon_ticket(receive) -> int:  # type: ignore[no-untyped-def]
    return (await receive(inbound("KK saya salah nama", account=TOMOHON_WA))).ticket_id


async def take(client, seed, username: str, ticket_id: int, action: str, **fields: Any):  # type: ignore[no-untyped-def]
    response = await client.post(
        f"/api/v1/tickets/{ticket_id}/actions",
        json={"action": action, **fields},
        headers=seed.bearer(username),
    )
    return response


async def consult(client, seed, jobs, ticket_id: int, question: str = QUESTION) -> None:  # type: ignore[no-untyped-def]
    response = await take(client, seed, "admin_brebes", ticket_id, "konsultasi", question=question)
    assert response.status_code == 200, response.text
    await jobs.drain()


async def ticket_of(rt, ticket_id: int) -> Ticket:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return await session.get_one(Ticket, ticket_id)


async def consultation_of(rt, ticket_id: int) -> Consultation:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return (
            await session.scalars(
                select(Consultation)
                .where(Consultation.ticket_id == ticket_id)
                .order_by(Consultation.id.desc())
            )
        ).first()


async def notes(rt, ticket_id: int) -> list[Message]:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return list(
            await session.scalars(
                select(Message)
                .where(Message.ticket_id == ticket_id, Message.direction == "note")
                .order_by(Message.id)
            )
        )
