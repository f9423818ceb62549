"""Local stand-ins for the platforms, for the demo: one server, each platform under its prefix.

The helpdesk's demo calls this without knowing any platform: it passes the demo accounts, gets a
server to run, and the base URLs to point its settings at.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import httpx
import uvicorn

from channels.base import AccountConfig
from channels.whatsapp.simulator.app import create_simulator
from channels.whatsapp.simulator.config import SimNumber, SimulatorConfig


@dataclass(frozen=True)
class DemoAccount:
    kind: str
    label: str
    config: AccountConfig


@dataclass(frozen=True)
class Simulators:
    server: uvicorn.Server
    base_url: str
    #: HELPDESK_* settings that point the helpdesk at the simulators
    endpoints: Mapping[str, str]


def build(accounts: Sequence[DemoAccount], helpdesk_url: str, host: str, port: int) -> Simulators:
    whatsapp = [a for a in accounts if a.kind == "whatsapp"]
    secrets = {a.config.get("app_secret") for a in whatsapp}
    if len(secrets) > 1:
        raise ValueError("the demo WhatsApp accounts must share one app secret (one Meta app)")
    base_url = f"http://{host}:{port}"
    config = SimulatorConfig(
        numbers=[
            SimNumber(
                a.config.key,
                a.config.get("display_phone_number"),
                a.config.get("access_token"),
                a.label,
            )
            for a in whatsapp
        ],
        app_secret=secrets.pop() if secrets else "",
        webhook_url=f"{helpdesk_url.rstrip('/')}/webhooks/whatsapp",
        public_url=base_url,
    )
    app = create_simulator(config)
    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    )
    return Simulators(
        server=server, base_url=base_url, endpoints={"GRAPH_API_URL": f"{base_url}/graph/"}
    )


def send_as_citizen(
    simulator_url: str, kind: str, account_key: str, sender: str, name: str, text: str
) -> dict[str, object]:
    """Have the simulator deliver a citizen's message to the helpdesk, as the platform would."""
    if kind != "whatsapp":
        raise ValueError(f"the demo has no simulator for {kind!r} yet")
    response = httpx.post(
        f"{simulator_url.rstrip('/')}/_sim/inbound",
        json={"phone_number_id": account_key, "from": sender, "name": name, "text": text},
        timeout=30,
    )
    response.raise_for_status()
    return dict(response.json())
