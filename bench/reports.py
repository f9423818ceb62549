"""Report benchmark: the monthly report of one office with N tickets in the month.

    .venv/bin/python -m bench.reports --backend postgresql|sqlite --n 100000 --runs 5

Makes a fresh database (a new PostgreSQL database, or a SQLite file in a temporary directory),
migrates it, loads one office and bulk-populates the month (COPY on PostgreSQL, executemany on
SQLite): N tickets spread over August 2026 with channels, categories, statuses, SOP steps and
due times, two step transitions per ticket (one of them late for about one ticket in five), a
decision for one ticket in twenty and an escalation for one in fifty. Then it builds the monthly
report (`helpdesk.reports.figures.build_report`, the same call the API makes) `--runs` times
and prints each time and the median. The target: under 2 s on PostgreSQL for 100,000 tickets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from helpdesk.db import create_sessionmaker, transaction
from helpdesk.migrate import upgrade
from helpdesk.models import Office
from helpdesk.offices import apply_offices, parse_offices
from helpdesk.reports.figures import build_report
from helpdesk.reports.periods import month
from helpdesk.settings import Settings

POSTGRES = "postgresql://postgres@127.0.0.1:5432"
OFFICE = """
[[office]]
code = "brebes"
name = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Brebes"
sop = "brebes"
timezone = "Asia/Jakarta"
"""
CHANNELS = ("whatsapp",) * 6 + ("email", "facebook", "instagram", "web")
CATEGORIES = ("ktp_el", "kk", "kia", "akta_kelahiran", "akta_kematian", "pindah", "other")
STEPS = (("admin", "open"), ("group_admin", "open"), ("rekap", "open"), ("selesai", "resolved"))
START = datetime(2026, 7, 31, 17, 0, tzinfo=UTC)  # 1 Aug 2026 00:00 WIB
SPAN = 31 * 24 * 3600
CONTACTS_PER_TICKET = 10


def _rows(n: int, office_id: int, seed: int = 8) -> dict[str, list[tuple[Any, ...]]]:
    rng = random.Random(seed)
    contacts = [
        (i + 1, office_id, f"Warga {i + 1}", f"62812{i + 1:08d}", START)
        for i in range(n // CONTACTS_PER_TICKET + 1)
    ]
    tickets, transitions, decisions, audits = [], [], [], []
    for i in range(n):
        created = START + timedelta(seconds=rng.randrange(SPAN))
        step, status = rng.choice(STEPS)
        answered = (
            created + timedelta(minutes=rng.randrange(5, 4000)) if rng.random() < 0.8 else None
        )
        resolved = (
            (answered or created) + timedelta(minutes=rng.randrange(1, 3000))
            if status == "resolved"
            else None
        )
        due = created + timedelta(days=3)
        tickets.append(
            (
                i + 1,
                office_id,
                f"ADU/BREBES/2026/{i + 1:06d}",
                2026,
                i + 1,
                "pengaduan",
                rng.choice(CATEGORIES),
                rng.choice(CHANNELS),
                i // CONTACTS_PER_TICKET + 1,
                f"Pengaduan {i + 1}",
                status,
                step,
                False,
                created,
                created,
                created,
                answered,
                due,
                due,
                resolved,
                rng.choice((None, "Bidang PIAK", "Bidang Dafduk")),
                "{}",
            )
        )
        left = created + timedelta(hours=rng.randrange(1, 90))
        transitions.append((i + 1, "", "admin", "start", created, None, ""))
        transitions.append(
            (
                i + 1,
                "admin",
                step,
                "jawab",
                left,
                due if rng.random() < 0.8 else left - timedelta(hours=1),
                "",
            )
        )
        if i % 20 == 0:
            decisions.append(
                (i + 1, "kasie", rng.choice(("answer", "follow_up", "forward")), "x", left)
            )
        if i % 50 == 0:
            audits.append((office_id, i + 1, "step.escalated", "{}", left))
    return {
        "contacts": contacts,
        "tickets": tickets,
        "transitions": transitions,
        "decisions": decisions,
        "audits": audits,
    }


TICKET_COLUMNS = (
    "id",
    "office_id",
    "register_no",
    "register_year",
    "register_seq",
    "kind",
    "category",
    "channel",
    "contact_id",
    "subject",
    "status",
    "step",
    "confidential",
    "created_at",
    "updated_at",
    "last_activity_at",
    "first_response_at",
    "step_due_at",
    "due_at",
    "resolved_at",
    "unit",
    "workflow_state",
)


async def _populate_postgresql(dsn: str, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table(
            "contacts",
            records=rows["contacts"],
            columns=["id", "office_id", "name", "phone", "created_at"],
        )
        await conn.copy_records_to_table(
            "tickets", records=rows["tickets"], columns=list(TICKET_COLUMNS)
        )
        await conn.copy_records_to_table(
            "step_transitions",
            records=rows["transitions"],
            columns=[
                "ticket_id",
                "from_step",
                "to_step",
                "action",
                "created_at",
                "from_step_due_at",
                "reason",
            ],
        )
        await conn.copy_records_to_table(
            "decisions",
            records=rows["decisions"],
            columns=["ticket_id", "role", "outcome", "reason", "created_at"],
        )
        await conn.copy_records_to_table(
            "audit_events",
            records=rows["audits"],
            columns=["office_id", "ticket_id", "action", "detail", "created_at"],
        )
        for table in ("contacts", "tickets"):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def _naive(value: Any) -> Any:
    """SQLite keeps UTC datetimes as naive ISO text (helpdesk.models.base.UTCDateTime)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    return value


def _populate_sqlite(path: Path, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    db = sqlite3.connect(path)
    try:

        def put(sql: str, items: list[tuple[Any, ...]]) -> None:
            db.executemany(sql, [tuple(_naive(v) for v in r) for r in items])

        put(
            "INSERT INTO contacts (id, office_id, name, phone, created_at) VALUES (?,?,?,?,?)",
            rows["contacts"],
        )
        marks = ",".join("?" * len(TICKET_COLUMNS))
        put(f"INSERT INTO tickets ({', '.join(TICKET_COLUMNS)}) VALUES ({marks})", rows["tickets"])
        put(
            "INSERT INTO step_transitions (ticket_id, from_step, to_step, action, created_at, "
            "from_step_due_at, reason) VALUES (?,?,?,?,?,?,?)",
            rows["transitions"],
        )
        put(
            "INSERT INTO decisions (ticket_id, role, outcome, reason, created_at) "
            "VALUES (?,?,?,?,?)",
            rows["decisions"],
        )
        put(
            "INSERT INTO audit_events (office_id, ticket_id, action, detail, created_at) "
            "VALUES (?,?,?,?,?)",
            rows["audits"],
        )
        db.commit()
        db.execute("ANALYZE")
    finally:
        db.close()


async def run(backend: str, n: int, runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        name = f"helpdesk_bench_reports_{uuid.uuid4().hex[:8]}"
        if backend == "postgresql":
            admin = create_async_engine(
                "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
                isolation_level="AUTOCOMMIT",
            )
            async with admin.connect() as conn:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
        else:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        settings = Settings(database_url=url, data_dir=Path(tmp), secret_key="bench" * 8)
        try:
            await asyncio.to_thread(upgrade, settings)
            engine = create_async_engine(url)
            sessions = create_sessionmaker(engine)
            async with transaction(sessions) as session:
                [office] = await apply_offices(session, parse_offices(OFFICE))
                office_id = office.id
            rows = _rows(n, office_id)
            began = time.perf_counter()
            if backend == "postgresql":
                await _populate_postgresql(f"{POSTGRES}/{name}", rows)
            else:
                await asyncio.to_thread(_populate_sqlite, Path(tmp) / "bench.db", rows)
            populate = time.perf_counter() - began
            period = month(date(2026, 8, 1))
            now = datetime(2026, 9, 10, tzinfo=UTC)
            times, total = [], None
            for _ in range(runs):
                async with sessions() as session:
                    office = (await session.scalars(select(Office))).one()
                    began = time.perf_counter()
                    report = await build_report(session, [office], period, now)
                    times.append(time.perf_counter() - began)
                    total = report["totals"]["tickets"]
            await engine.dispose()
        finally:
            if backend == "postgresql":
                async with admin.connect() as conn:
                    await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                await admin.dispose()
    return {
        "backend": backend,
        "tickets_in_month": total,
        "populate_seconds": round(populate, 2),
        "runs_seconds": [round(t, 3) for t in times],
        "median_seconds": round(statistics.median(times), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.backend, args.n, args.runs)), indent=2))


if __name__ == "__main__":
    main()
