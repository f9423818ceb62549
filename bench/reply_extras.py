"""WhatsApp replies beyond text, timed end to end against the local simulator (issue 3).

One process: a temp SQLite database (`helpdesk db upgrade`), one office with one WhatsApp number,
and the WhatsApp simulator served on a free port; the real adapter, facebook-sdk and HTTP. For
each scenario, `--n` runs after one warm-up, p50/p95/max in milliseconds:

- `templates_listed`: the account's templates asked of the Graph API and stored in the cache;
- `templates_cached`: the same list read back from the cache (what every page view pays);
- `template_send`: a queued template reply through `outbox.send_item` (validated, accepted);
- `media_send`: a queued `--file-kb` PDF reply through `send_item` (upload, then send by id);
- `read_receipt`: `read_receipts.ticket_opened` + the job that tells the platform.

    .venv/bin/python -m bench.reply_extras --n 200 --file-kb 1024

Results go to bench/results/reply_extras-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import socket
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from channels.base import ContentKind, InboundMessage, PlatformEndpoints
from channels.whatsapp.simulator import SimNumber, SimulatorConfig, StatusDelays, build_server
from channels.whatsapp.simulator.store import SimMessage
from helpdesk import outbox, read_receipts
from helpdesk.auth import Principal
from helpdesk.db import transaction
from helpdesk.ingest import receive_message
from helpdesk.message_templates import templates_for
from helpdesk.migrate import upgrade
from helpdesk.models import ChannelAccount, Ticket
from helpdesk.offices import apply_offices, parse_offices
from helpdesk.replies import Upload, queue_media_reply, queue_template_reply
from helpdesk.runtime import Runtime
from helpdesk.settings import Settings

RESULTS_DIR = Path(__file__).resolve().parent / "results"
PHONE_ID, TOKEN, SECRET, WABA = "109800000001", "bench-token", "bench-secret", "102290129340398"
OFFICES = f"""
[[office]]
code = "bench"
name = "Dinas Dukcapil Bench"
sop = "default"

[[office.channel]]
kind = "whatsapp"
phone_number_id = "{PHONE_ID}"
display_phone_number = "6281100009999"
access_token = "{TOKEN}"
app_secret = "{SECRET}"
verify_token = "bench-verify"
business_account_id = "{WABA}"
"""


class _Jobs:
    """Jobs are run by the bench itself, so only the timed work is measured."""

    async def enqueue(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def close(self) -> None:
        return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pdf(kb: int) -> bytes:
    return b"%PDF-1.4\n" + b"%" * max(0, kb * 1024 - 20) + b"\n%%EOF\n"


async def _time(n: int, run: Callable[[], Awaitable[Any]]) -> dict[str, float]:
    await run()  # warm-up
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        await run()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "p50_ms": round(samples[len(samples) // 2], 2),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 2),
        "max_ms": round(samples[-1], 2),
        "n": n,
    }


async def main(n: int, file_kb: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-replies-"))
    port = _free_port()
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp / 'h.db'}",
        data_dir=tmp / "data",
        secret_key="bench-" + "x" * 40,
        endpoints=PlatformEndpoints(graph_api_url=f"http://127.0.0.1:{port}/graph/"),
    )
    await asyncio.to_thread(upgrade, settings)
    sim_config = SimulatorConfig(
        numbers=[SimNumber(PHONE_ID, "6281100009999", TOKEN, "Bench")],
        app_secret=SECRET,
        webhook_url="http://127.0.0.1:9/webhooks/whatsapp",  # statuses are not measured
        public_url=f"http://127.0.0.1:{port}",
        status_delays=StatusDelays(sent=3600, delivered=3600, read=None),
        business_account_id=WABA,
        webhook_max_attempts=1,
    )
    server = build_server(sim_config, "127.0.0.1", port)
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, no event
        await asyncio.sleep(0.01)
    store = server.config.app.state.sim.store  # type: ignore[attr-defined]
    rt = Runtime.create(settings)
    rt.queue = _Jobs()  # type: ignore[assignment]
    try:
        async with transaction(rt.sessions) as session:
            await apply_offices(session, parse_offices(OFFICES))
        received = await receive_message(
            rt,
            "whatsapp",
            InboundMessage(
                account_key=PHONE_ID,
                external_id="wamid.bench0",
                sender_id="6281234567890",
                sender_name="Warga",
                sent_at=datetime.now(UTC),
                kind=ContentKind.text,
                body="KTP saya belum jadi",
            ),
        )
        ticket_id = received.ticket_id
        async with rt.sessions() as session:
            account = await session.get_one(ChannelAccount, 1)
        admin = Principal(None, "bench", "Bench", True)  # type: ignore[arg-type]
        results: dict[str, Any] = {}
        results["templates_listed"] = await _time(
            n, lambda: templates_for(rt, account, refresh=True)
        )
        results["templates_cached"] = await _time(n, lambda: templates_for(rt, account))
        listing = await templates_for(rt, account)

        async def template_send() -> None:
            async with transaction(rt.sessions) as session:
                ticket = await session.get_one(Ticket, ticket_id)
                _, item = await queue_template_reply(
                    session,
                    ticket,
                    admin,
                    listing,
                    "dokumen_siap_diambil",
                    "id",
                    ["Siti", "KTP-el", "loket 3"],
                )
            outcome = await outbox.send_item(rt, item.id)
            assert outcome.state == "done", outcome

        pdf = _pdf(file_kb)

        async def media_send() -> None:
            async with transaction(rt.sessions) as session:
                ticket = await session.get_one(Ticket, ticket_id)
                upload = Upload(pdf, "syarat.pdf", "application/pdf")
                _, item = await queue_media_reply(session, rt, ticket, admin, upload, "")
            outcome = await outbox.send_item(rt, item.id)
            assert outcome.state == "done", outcome

        counter = iter(range(1, 10**9))

        async def read_receipt() -> None:
            wamid = f"wamid.bench{next(counter)}"
            store.messages.append(
                SimMessage(wamid, PHONE_ID, "6281234567890", "inbound", "text", "x", 0)
            )
            await receive_message(
                rt,
                "whatsapp",
                InboundMessage(
                    account_key=PHONE_ID,
                    external_id=wamid,
                    sender_id="6281234567890",
                    sender_name="Warga",
                    sent_at=datetime.now(UTC),
                    kind=ContentKind.text,
                    body="Halo?",
                ),
            )
            receipt = await read_receipts.ticket_opened(rt, ticket_id)
            assert receipt is not None
            assert await read_receipts.send_read_receipt(rt, receipt) == "sent"

        results["template_send"] = await _time(n, template_send)
        results["media_send"] = await _time(n, media_send)
        results["read_receipt"] = await _time(n, read_receipt)
        return {
            "bench": "reply_extras",
            "at": datetime.now(UTC).isoformat(),
            "python": platform.python_version(),
            "machine": platform.machine(),
            "backend": "sqlite",
            "file_kb": file_kb,
            "results": results,
        }
    finally:
        await rt.close()
        server.should_exit = True
        await serving


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--file-kb", type=int, default=1024)
    args = parser.parse_args()
    report = asyncio.run(main(args.n, args.file_kb))
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"reply_extras-{int(time.time())}.json"
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report["results"], indent=2))
    print(f"written to {out}")
