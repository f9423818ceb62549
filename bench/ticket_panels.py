"""What the ticket page's workflow side costs: the page with its SOP panel, assignment, labels,
canned answers, consultation thread and history, against `panels()` alone.

A fresh SQLite database (or `--database-url`, an empty migrated one) gets the test offices, a
Brebes ticket with a consultation and its answer, three labels, five canned answers and the
history they leave; then `GET /tickets/{id}` runs `--requests` times in-process (ASGI, one
client, after a warm-up) and `panels()` as many times on its own. Prints p50/p95/max in ms.

    .venv/bin/python -m bench.ticket_panels
    .venv/bin/python -m bench.ticket_panels --database-url postgresql+asyncpg://…/empty_db
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from helpdesk import canned, labels
from helpdesk.auth import hash_password, load_principal
from helpdesk.db import transaction
from helpdesk.migrate import upgrade_async
from helpdesk.models import Membership, Office, Role, Ticket, User
from helpdesk.offices import apply_offices, parse_offices
from helpdesk.runtime import Runtime
from helpdesk.settings import Settings
from helpdesk.tickets import get_ticket
from helpdesk.walk_in import InPerson, register
from helpdesk.workflow.engine import apply_action
from inbox.sop_views import panels
from tests.conftest import OFFICES_TOML

PASSWORD = "bench-password-123"


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
        "max_ms": round(ordered[-1], 2),
    }


async def _seed(rt: Runtime) -> int:
    async with transaction(rt.sessions) as session:
        offices = {o.code: o for o in await apply_offices(session, parse_offices(OFFICES_TOML))}
        brebes = offices["brebes"]
        ids = {}
        for username, role in (("admin_bench", Role.admin), ("group_bench", Role.group_admin)):
            user = User(
                username=username, full_name=username, password_hash=hash_password(PASSWORD)
            )
            session.add(user)
            await session.flush()
            session.add(Membership(user_id=user.id, office_id=brebes.id, role=role))
            ids[username] = user.id
    async with transaction(rt.sessions) as session:
        admin = await load_principal(session, ids["admin_bench"])
        office = (await session.scalars(select(Office).where(Office.code == "brebes"))).one()
        assert admin is not None
        ticket = await register(
            session, office, admin, InPerson("counter", "Budi", "Akta kelahiran salah nama ibu")
        )
        for n in range(5):
            await canned.create(session, office, admin, f"Jawaban {n}", "Yth. {name}, " * 20)
        for name in ("viral", "butuh verifikasi", "prioritas"):
            await labels.add_label(session, ticket, admin, name)
        await apply_action(session, ticket, admin, "konsultasi", {"question": "Perlu putusan?"})
        ticket_id = ticket.id
    async with transaction(rt.sessions) as session:
        group = await load_principal(session, ids["group_bench"])
        assert group is not None
        ticket = await session.get_one(Ticket, ticket_id)
        await apply_action(session, ticket, group, "beri_jawaban", {"body": "Tidak perlu."})
    return ticket_id


async def run(database_url: str | None, requests: int, warmup: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="bench-panels-"))
    url = database_url or f"sqlite+aiosqlite:///{workdir / 'helpdesk.db'}"
    settings = Settings(database_url=url, data_dir=workdir, secret_key="bench-" + "x" * 40)
    await upgrade_async(settings)
    rt = Runtime.create(settings)
    ticket_id = await _seed(rt)
    from helpdesk.app import create_app

    app = create_app(settings, runtime=rt, jobs=False)
    result: dict[str, Any] = {"database": url.split(":", 1)[0]}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as client:
        await client.get("/login")
        token = client.cookies.get("helpdesk_csrf")
        await client.post(
            "/login",
            data={"username": "admin_bench", "password": PASSWORD, "_csrf_token": token},
        )
        samples = []
        for n in range(warmup + requests):
            started = time.perf_counter()
            response = await client.get(f"/tickets/{ticket_id}")
            if n >= warmup:
                samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        result["ticket page"] = {**_stats(samples), "bytes": len(response.content)}
    async with rt.sessions() as session:
        user_id = (
            await session.scalars(select(User.id).where(User.username == "admin_bench"))
        ).one()
        principal = await load_principal(session, user_id)
    assert principal is not None
    samples = []
    for n in range(warmup + requests):
        async with rt.sessions() as session:  # a fresh session, as each request has
            started = time.perf_counter()
            ticket = await get_ticket(session, principal, ticket_id)
            assert ticket is not None
            await panels(session, principal, ticket, "id")
            if n >= warmup:
                samples.append((time.perf_counter() - started) * 1000)
    result["get_ticket() + panels()"] = _stats(samples)
    await rt.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an empty database (migrated here)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.database_url, args.requests, args.warmup)), indent=2))


if __name__ == "__main__":
    main()
