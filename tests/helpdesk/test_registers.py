"""Register numbers: unique per office and year, formatted by the office, never duplicated."""

from __future__ import annotations

import asyncio
import json
import sys
import textwrap
from datetime import UTC, datetime

import pytest

from helpdesk.db import transaction
from helpdesk.models import Office
from helpdesk.registers import RegisterFormatError, render, take_number, validate_format
from tests.conftest import find_office

TAKER = textwrap.dedent(
    """
    import asyncio, json, sys
    from datetime import UTC, datetime
    from pathlib import Path
    from helpdesk.db import create_engine, create_sessionmaker, transaction
    from helpdesk.models import Office
    from helpdesk.registers import take_number
    from helpdesk.settings import Settings

    async def main(url, office_id, count):
        settings = Settings(database_url=url, data_dir=Path("/tmp"), secret_key="x")
        engine = create_engine(settings)
        sessions = create_sessionmaker(engine)
        taken = []
        for _ in range(count):
            async with transaction(sessions) as session:
                office = await session.get_one(Office, office_id)
                taken.append((await take_number(session, office, datetime.now(UTC)))[1])
        await engine.dispose()
        print(json.dumps(taken))

    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
    """
)


async def test_two_processes_taking_numbers_at_once_never_share_one(rt, seed, settings):
    office_id = seed.offices["brebes"]
    per_process = 60
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            TAKER,
            settings.database_url,
            str(office_id),
            str(per_process),
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = [await p.communicate() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    taken = [n for out, _ in outputs for n in json.loads(out)]
    assert sorted(taken) == list(range(1, 2 * per_process + 1))


async def test_a_rolled_back_transaction_gives_its_number_back(rt, seed):
    office = await find_office(rt, "brebes")
    with pytest.raises(RuntimeError):
        async with transaction(rt.sessions) as session:
            await take_number(session, await session.get_one(Office, office.id), datetime.now(UTC))
            raise RuntimeError("crash before commit")
    async with transaction(rt.sessions) as session:
        _, seq, number = await take_number(
            session, await session.get_one(Office, office.id), datetime.now(UTC)
        )
    assert seq == 1 and number.endswith("/000001")


async def test_the_year_is_the_office_local_year(rt, seed):
    office = await find_office(rt, "tomohon")  # WITA, UTC+8
    new_year_wita = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # 00:30 on 1 January 2027 WITA
    async with transaction(rt.sessions) as session:
        year, _, number = await take_number(
            session, await session.get_one(Office, office.id), new_year_wita
        )
    assert year == 2027 and number == "ADU/TOMOHON/2027/000001"


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("ADU/{office}/{year}/{seq:06d}", "ADU/BREBES/2026/000042"),
        ("{seq}/PGD/{office}/{year}", "42/PGD/BREBES/2026"),
        ("{kind}-{year}-{seq:05d}", "ADU-2026-00042"),
    ],
)
def test_an_office_chooses_its_format(fmt, expected):
    validate_format(fmt)
    office = Office(code="brebes", name="x", register_format=fmt, timezone="Asia/Jakarta")
    assert render(office, 2026, 42) == expected


@pytest.mark.parametrize("fmt", ["ADU/{office}/{year}", "{nope}/{seq}", "{seq", "{seq:zz}"])
def test_a_format_that_cannot_number_tickets_is_refused(fmt):
    with pytest.raises(RegisterFormatError):
        validate_format(fmt)
