"""Contacts and personal data: merge proposals at scale, and the cost of masking NIK numbers.

    .venv/bin/python -m bench.contacts --backend sqlite --contacts 500000
    .venv/bin/python -m bench.contacts --backend postgresql --contacts 500000

1. A fresh database (a temp SQLite file, or a PostgreSQL database `bench_contacts_<random>`,
   dropped at the end) with the models' schema, two offices and `--contacts` contacts in the
   first (names drawn from 40 first and 40 last names, so a name is shared by ~300 contacts as
   in a real kabupaten; 1 % of phone numbers written a second time in another form), their keys
   computed by helpdesk.personal_data as the models do.
2. `helpdesk.contacts.proposals_for` (the contact card's proposals: one indexed query) for
   `--requests` random contacts: p50/p95/max in milliseconds.
3. `helpdesk.personal_data.mask` over 10,000 message texts (one in ten with a NIK, others with
   phone numbers and register numbers): microseconds per text.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import random
import secrets
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from helpdesk import contacts
from helpdesk.models import Base, Contact, Office
from helpdesk.personal_data import mask, name_key, phone_key

_FIRST_NAMES = """
Agus Budi Siti Dewi Rina Yanti Joko Sri Ahmad Nur Eko Dian Wahyu Ika Fitri Hendra Made
Ketut Frans Maria Yohana Arif Rudi Lina Tri Dwi Andi Rizki Putri Bayu Ani Iwan Sari Tono
Wati Yusuf Indah Bambang Ratna
"""
_LAST_NAMES = """
Santoso Lestari Wibowo Saputra Hidayat Kurniawan Setiawan Pratama Wijaya Nugroho Susanti
Rahmawati Wowor Lumintang Sondakh Pangemanan Siregar Nasution Harahap Simanjuntak
Gunawan Halim Salim Rahman Hakim Aminah Fauzi Syahputra Utami Permana Firmansyah
Ramadhan Hasibuan Lubis Sembiring Manurung Tambunan Purba Ginting
"""
FIRST, LAST = tuple(_FIRST_NAMES.split()), tuple(_LAST_NAMES.split())
RESULTS = Path(__file__).parent / "results"


async def populate(database_url: str, n: int) -> tuple[async_sessionmaker[Any], int]:
    engine = create_async_engine(database_url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    rng = random.Random(7)
    now = datetime.now(UTC)
    async with sessions() as session:
        offices = [Office(code=f"o{i}", name=f"Office {i}") for i in range(2)]
        session.add_all(offices)
        await session.commit()
        office_id = offices[0].id
    batch: list[dict[str, Any]] = []
    async with engine.begin() as conn:
        for i in range(n):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            phone = f"62812{i:08d}"
            if rng.random() < 0.01 and i:
                phone = f"0812-{i - 1:08d}"  # the same citizen's number, written by CS
            batch.append(
                {
                    "office_id": office_id,
                    "name": name,
                    "phone": phone,
                    "phone_key": phone_key(phone),
                    "name_key": name_key(name),
                    "created_at": now,
                }
            )
            if len(batch) == 20_000:
                await conn.execute(insert(Contact), batch)
                batch = []
        if batch:
            await conn.execute(insert(Contact), batch)
        if engine.dialect.name == "postgresql":
            await conn.execute(text("ANALYZE contacts"))
        else:
            await conn.execute(text("ANALYZE"))
    return sessions, office_id


async def measure(sessions: async_sessionmaker[Any], n: int, requests: int) -> dict[str, float]:
    rng = random.Random(11)
    timings: list[float] = []
    found = 0
    async with sessions() as session:
        for i in range(requests + 20):
            contact = await session.get(Contact, rng.randint(1, n))
            started = time.perf_counter()
            proposals = await contacts.proposals_for(session, contact)
            elapsed = (time.perf_counter() - started) * 1000
            session.expunge_all()
            if i >= 20:  # warm-up
                timings.append(elapsed)
                found += len(proposals)
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        "max_ms": round(timings[-1], 2),
        "proposals_per_card": round(found / requests, 1),
    }


def measure_mask() -> dict[str, float]:
    rng = random.Random(3)
    texts = []
    for i in range(10_000):
        body = (
            "Selamat siang, KTP-el saya rusak dan ingin mengurus penggantian. HP 0812"
            f"{rng.randint(10_000_000, 99_999_999)}, nomor register ADU/BREBES/2026/{i:06d}."
        )
        if i % 10 == 0:
            body += f" NIK 3329{rng.randint(10, 99)}{rng.randint(1, 28):02d}0190{i % 9000 + 1:04d}"
        texts.append(body)
    started = time.perf_counter()
    masked = [mask(t) for t in texts]
    elapsed = time.perf_counter() - started
    assert sum("••••" in m for m in masked) == 1000
    return {"us_per_text": round(elapsed / len(texts) * 1e6, 2), "texts": len(texts)}


async def run(backend: str, n: int, requests: int) -> dict[str, Any]:
    admin_url = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    name = f"bench_contacts_{secrets.token_hex(4)}"
    tmp = tempfile.TemporaryDirectory()
    if backend == "postgresql":
        admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            await conn.execute(text(f"CREATE DATABASE {name}"))
        database_url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    else:
        database_url = f"sqlite+aiosqlite:///{tmp.name}/contacts.db"
    try:
        started = time.monotonic()
        sessions, _office = await populate(database_url, n)
        load_s = time.monotonic() - started
        proposals = await measure(sessions, n, requests)
        await sessions.kw["bind"].dispose()
    finally:
        if backend == "postgresql":
            async with admin.connect() as conn:
                await conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            await admin.dispose()
        tmp.cleanup()
    return {
        "backend": backend,
        "contacts": n,
        "requests": requests,
        "load_seconds": round(load_s, 1),
        "proposals": proposals,
        "mask": measure_mask(),
        "machine": platform.platform(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--contacts", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    result = asyncio.run(run(args.backend, args.contacts, args.requests))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"contacts-{args.backend}-{int(time.time())}.json"
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
