"""Fixtures for end-to-end tests: the helpdesk and the platform simulators on real ports."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace

import pytest

from channels.base import PlatformEndpoints
from channels.whatsapp.simulator import SimNumber, SimulatorConfig, StatusDelays
from tests.conftest import ACCESS_TOKEN, APP_SECRET, BREBES_WA
from tests.e2e.live import reserve_port, run_worker, serve_helpdesk


@pytest.fixture
def live(settings, seed, serve_whatsapp_simulator):  # type: ignore[no-untyped-def]
    sock = reserve_port()
    helpdesk_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    simulator = serve_whatsapp_simulator(
        SimulatorConfig(
            numbers=[SimNumber(BREBES_WA, "6281100000001", ACCESS_TOKEN, "Brebes")],
            app_secret=APP_SECRET,
            webhook_url=f"{helpdesk_url}/webhooks/whatsapp",
            status_delays=StatusDelays(sent=0.05, delivered=0.2, read=0.4),
            webhook_backoff_seconds=0.1,
        )
    )
    live_settings = replace(
        settings,
        endpoints=PlatformEndpoints(graph_api_url=simulator.graph_url, timeout_seconds=5),
        queue_name=f"helpdesk:e2e:{uuid.uuid4().hex}",
    )
    with serve_helpdesk(live_settings, sock) as url, run_worker(live_settings):
        yield url, simulator


async def eventually(check, timeout: float = 15.0):  # type: ignore[no-untyped-def]
    async with asyncio.timeout(timeout):
        while True:
            value = await check()
            if value:
                return value
            await asyncio.sleep(0.1)
