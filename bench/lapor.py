"""LAPOR polling: how fast reports forwarded to the office become tickets (SQLite, in-process).

    .venv/bin/python -m bench.lapor --reports 500

1. A temp SQLite database migrated to head, Tomohon with a LAPOR account, and the LAPOR
   simulator on a free port holding `--reports` forwarded reports (each with one reply).
2. One poll round (`ReportPoller.sync`: list the feed, fetch each report over HTTP, store it
   as an inbound event with the cursor): reports per second.
3. Processing the stored events (`ingest.process_pending` until none is left): reports per
   second, and the tickets and messages made (must be N and 2N).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import func, select

from channels.base import AccountConfig, PlatformEndpoints
from channels.sp4n_lapor.poller import FeedSettings, ReportPoller
from channels.sp4n_lapor.simulator import LaporAgency, create_lapor_simulator
from helpdesk import ingest
from helpdesk.db import transaction
from helpdesk.jobs.inprocess import InProcessQueue
from helpdesk.migrate import upgrade
from helpdesk.models import ChannelAccount, Message, Ticket
from helpdesk.offices import apply_offices, parse_offices
from helpdesk.polling import AccountSink, Lease
from helpdesk.runtime import Runtime
from helpdesk.settings import Settings

AGENCY, TOKEN = "bench-agency", "bench-token"
OFFICES = f"""
[[office]]
code = "tomohon"
name = "Dinas Kependudukan dan Pencatatan Sipil Kota Tomohon"
sop = "tomohon"
timezone = "Asia/Makassar"

[[office.channel]]
kind = "sp4n_lapor"
agency_id = "{AGENCY}"
api_token = "{TOKEN}"
"""


def serve(app: Any) -> tuple[str, uvicorn.Server]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return f"http://127.0.0.1:{sock.getsockname()[1]}", server


async def run(reports: int) -> dict[str, Any]:
    sim = create_lapor_simulator([LaporAgency(AGENCY, TOKEN, "Bench")])
    store = sim.state.lapor
    for n in range(reports):
        report = store.file_report(
            {"agency_id": AGENCY, "body": f"Laporan nomor {n}: KTP-el belum jadi.", "name": "W"}
        )
        store.add_entry(report.tracking_id, "pelapor", "W", "Mohon segera.")
    base_url, server = serve(sim)
    workdir = Path(tempfile.mkdtemp(prefix="bench_lapor_"))
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
        data_dir=workdir / "data",
        secret_key="bench-" + "x" * 40,
        endpoints=PlatformEndpoints(lapor_api_url=f"{base_url}/api/", timeout_seconds=30),
    )
    await asyncio.to_thread(upgrade, settings)
    rt = Runtime.create(settings)
    rt.queue = InProcessQueue(rt, workers=1, sweep_every=None)
    try:
        async with transaction(rt.sessions) as session:
            await apply_offices(session, parse_offices(OFFICES))
            account_id = await session.scalar(select(ChannelAccount.id))
        assert account_id is not None
        lease = Lease(rt, account_id, "bench", 600)
        assert await lease.acquire()
        adapter: Any = rt.adapters["sp4n_lapor"]
        client = adapter.client(AccountConfig(AGENCY, {"agency_id": AGENCY, "api_token": TOKEN}))
        sink = AccountSink(rt, account_id, "sp4n_lapor", lease)
        started = time.perf_counter()
        stored = await ReportPoller(FeedSettings(AGENCY, page_size=100), client, sink).sync()
        polled = time.perf_counter() - started
        await client.aclose()
        started = time.perf_counter()
        while await ingest.process_pending(rt):
            pass
        processed = time.perf_counter() - started
        async with rt.sessions() as session:
            tickets = await session.scalar(select(func.count()).select_from(Ticket))
            messages = await session.scalar(select(func.count()).select_from(Message))
    finally:
        await rt.close()
        server.should_exit = True
    return {
        "reports": reports,
        "stored": stored,
        "poll_seconds": round(polled, 2),
        "poll_reports_per_second": round(stored / polled, 1),
        "process_seconds": round(processed, 2),
        "process_reports_per_second": round(stored / processed, 1),
        "tickets": tickets,
        "messages": messages,
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=500)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.reports)), indent=2))


if __name__ == "__main__":
    main()
