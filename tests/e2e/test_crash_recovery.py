"""A process killed after storing a webhook and before processing it loses nothing.

Real processes: `helpdesk serve` (and on PostgreSQL `helpdesk worker`), killed with SIGKILL.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from sqlalchemy import select

from helpdesk.db import transaction
from helpdesk.models import InboundEvent, Ticket
from tests.conftest import APP_SECRET, SECRET_KEY
from tests.e2e.live import reserve_port

FIXTURE = Path(__file__).parents[1] / "channels" / "whatsapp" / "fixtures" / "text_message.json"
HELPDESK = str(Path(sys.executable).with_name("helpdesk"))


def env_for(settings, queue_name: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "HELPDESK_DATABASE_URL": settings.database_url,
        "HELPDESK_DATA_DIR": str(settings.data_dir),
        "HELPDESK_SECRET_KEY": SECRET_KEY,
        "HELPDESK_QUEUE_NAME": queue_name,
    }
    env.pop("HELPDESK_REDIS_URL", None)
    if settings.redis_url:
        env["HELPDESK_REDIS_URL"] = settings.redis_url
    return env


async def wait_http(url: str) -> None:
    async with asyncio.timeout(30), httpx.AsyncClient() as client:
        while True:
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)


async def statuses(rt) -> list[str]:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return list(await session.scalars(select(InboundEvent.status)))


async def tickets(rt) -> int:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return len(list(await session.scalars(select(Ticket.id))))


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [HELPDESK, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(10)


async def test_an_event_stored_by_a_killed_process_is_processed_after_restart(
    rt, seed, settings, tmp_path
):
    queue = f"helpdesk:crash:{os.getpid()}:{id(rt)}"
    env = env_for(settings, queue)
    body = FIXTURE.read_bytes()
    if settings.redis_url:
        # Production shape: the web process stores and enqueues; no worker is running yet.
        port = reserve_port()
        port_no = port.getsockname()[1]
        port.close()
        web = start(["serve", "--port", str(port_no)], env)
        try:
            await wait_http(f"http://127.0.0.1:{port_no}/livez")
            digest = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
            async with httpx.AsyncClient() as client:
                response = await client.post(
                    f"http://127.0.0.1:{port_no}/webhooks/whatsapp",
                    content=body,
                    headers={"X-Hub-Signature-256": f"sha256={digest}"},
                )
            assert response.status_code == 200
        finally:
            kill(web)
        # Redis here keeps nothing on disk: a restart loses the queued job with it.
        pool = rt.queue.pool
        await pool.delete(queue, *[k async for k in pool.scan_iter(f"arq:*{queue}:*")])
        assert await statuses(rt) == ["pending"]
        worker = start(["worker"], env)
        try:
            async with asyncio.timeout(30):
                while await statuses(rt) != ["processed"]:
                    await asyncio.sleep(0.2)
        finally:
            kill(worker)
    else:
        # Embedded shape: the one process stored the event and died before its job ran.
        async with transaction(rt.sessions) as session:
            session.add(InboundEvent(channel="whatsapp", body=body))
        port = reserve_port()
        port_no = port.getsockname()[1]
        port.close()
        web = start(["serve", "--port", str(port_no)], env)
        try:
            await wait_http(f"http://127.0.0.1:{port_no}/livez")
            async with asyncio.timeout(30):
                while await statuses(rt) != ["processed"]:
                    await asyncio.sleep(0.2)
        finally:
            kill(web)
    assert await tickets(rt) == 1
